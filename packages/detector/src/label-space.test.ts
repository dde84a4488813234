import { describe, expect, it } from 'vitest';
import { SOI_DET_CLASSES } from '@babelrs/datasets';
import { detectorPreset } from './config.js';
import { labelSpaces, toLocalLabels } from './label-space.js';

describe('labelSpaces', () => {
  it('full SOI-Det lists by default: 6 SAR, 15 RGB, 5 IR classes, unified ids in order', () => {
    const s = labelSpaces(detectorPreset('tiny'));
    expect(s.sar.names).toEqual(['ship', 'aircraft', 'car', 'tank', 'bridge', 'harbor']);
    expect(s.sar.unified).toEqual([0, 1, 2, 3, 4, 5]);
    expect(s.rgb.unified).toEqual([...Array(15).keys()].map((k) => 6 + k));
    expect(s.ir.names).toEqual(['car', 'truck', 'bus', 'van', 'freight_car']);
    expect(s.ir.unified).toEqual([21, 22, 23, 24, 25]);
  });

  it('a restricted class list maps unified → local in the listed order', () => {
    const s = labelSpaces({ ...detectorPreset('tiny'), classes: { rgb: ['ship', 'plane'] } });
    const rgbShip = SOI_DET_CLASSES.find((c) => c.key === 'rgb:ship')!.id;
    const plane = SOI_DET_CLASSES.find((c) => c.key === 'rgb:plane')!.id;
    expect(toLocalLabels(s.rgb, Int32Array.from([plane, rgbShip, plane]), 'x')).toEqual(Int32Array.from([1, 0, 1]));
  });

  it('a label the head does not predict is an error naming the sample and class', () => {
    const s = labelSpaces({ ...detectorPreset('tiny'), classes: { rgb: ['ship'] } });
    expect(() => toLocalLabels(s.rgb, Int32Array.from([7, 6]), 'rgb/val/rgb_00001')).toThrow(/sample rgb\/val\/rgb_00001: object 1 has class rgb:plane/);
    // SAR ship (unified 0) is not the RGB ship (unified 7)
    expect(() => toLocalLabels(s.rgb, Int32Array.from([0]), 'y')).toThrow(/sar:ship/);
  });
});
