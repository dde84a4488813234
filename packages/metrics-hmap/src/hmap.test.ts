import { describe, expect, it } from 'vitest';
import { harmonicModalityMap } from './hmap.js';

describe('harmonicModalityMap (H-mAP)', () => {
  it('is |M| / Σ 1/mAP_m', () => {
    expect(harmonicModalityMap({ a: 0.5, b: 0.25 })).toBeCloseTo(2 / (2 + 4), 15);
    expect(harmonicModalityMap([0.4])).toBeCloseTo(0.4, 15);
  });

  it("reproduces the paper's headline H-mAPs from its per-modality mAPs", () => {
    // BabelRS: SAR 63.30, DOTA 46.96, DroneVehicle 51.32 → 53.02; SM3Det: 60.64, 46.47, 48.87 → 51.31
    expect(harmonicModalityMap([0.633, 0.4696, 0.5132])).toBeCloseTo(0.5302, 4);
    expect(harmonicModalityMap([0.6064, 0.4647, 0.4887])).toBeCloseTo(0.5131, 4);
  });

  it('is 0 when any modality scores 0; undefined (NaN), not 0, without any modality', () => {
    expect(harmonicModalityMap([0.9, 0])).toBe(0);
    expect(harmonicModalityMap([])).toBeNaN();
    expect(harmonicModalityMap({})).toBeNaN();
  });

  it('is NaN (undefined), not 0, when a modality mAP is undefined; a 0 elsewhere still gives 0', () => {
    expect(harmonicModalityMap({ rgb: Number.NaN, ir: 0.5 })).toBeNaN();
    expect(harmonicModalityMap([0, Number.NaN])).toBe(0);
  });
});
