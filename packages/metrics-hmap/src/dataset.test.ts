import { describe, expect, it } from 'vitest';
import { createDataset, modalitiesOf, selectImages } from './dataset.js';
import { MetricsInputError } from './errors.js';

const base = {
  geometry: 'hbb' as const,
  classes: ['a', 'b'],
  images: [{ name: 'x', modality: 'sar' }, { name: 'y', modality: 'rgb' }, { name: 'z', modality: 'sar' }],
};

describe('createDataset', () => {
  it('accepts indices or names and keeps row order', () => {
    const ds = createDataset({
      ...base,
      gts: [{ image: 'z', label: 'b', box: [0, 0, 1, 1] }],
      dets: [
        { image: 2, label: 1, box: [0, 0, 1, 1], score: 0.3 },
        { image: 'x', label: 'a', box: [0, 0, 2, 2], score: 0.9 },
      ],
    });
    expect(Array.from(ds.gts.imageIndex)).toEqual([2]);
    expect(Array.from(ds.dets.labels)).toEqual([1, 0]);
    expect(Array.from(ds.dets.scores)).toEqual([0.3, 0.9]);
  });

  it.each([
    [{ image: 0, label: 'c', box: [0, 0, 1, 1], score: 1 }, /dets\[0\]\.label: unknown class "c"/],
    [{ image: 5, label: 0, box: [0, 0, 1, 1], score: 1 }, /dets\[0\]\.image: image index 5 is out of range/],
    [{ image: 0, label: 0, box: [0, 0, 1], score: 1 }, /dets\[0\]\.box: expected 4 coordinates, got 3/],
    [{ image: 0, label: 0, box: [0, 0, 1, 1], score: Number.NaN }, /dets\[0\]\.score: score is not a finite number/],
  ])('rejects bad detections with the field named (%#)', (det, re) => {
    expect(() => createDataset({ ...base, gts: [], dets: [det] })).toThrow(MetricsInputError);
    expect(() => createDataset({ ...base, gts: [], dets: [det] })).toThrow(re);
  });
});

describe('selectImages / modalitiesOf', () => {
  it('keeps the chosen images with their rows, reindexed, in order', () => {
    const ds = createDataset({
      ...base,
      gts: [
        { image: 'x', label: 0, box: [0, 0, 1, 1] },
        { image: 'y', label: 1, box: [1, 1, 2, 2] },
        { image: 'z', label: 1, box: [2, 2, 3, 3] },
      ],
      dets: [{ image: 'z', label: 0, box: [5, 5, 6, 6], score: 0.5 }],
    });
    expect(modalitiesOf(ds)).toEqual(['sar', 'rgb']);
    const sar = selectImages(ds, (im) => im.modality === 'sar');
    expect(sar.images.map((i) => i.name)).toEqual(['x', 'z']);
    expect(Array.from(sar.gts.imageIndex)).toEqual([0, 1]);
    expect(Array.from(sar.gts.boxes)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(Array.from(sar.dets.imageIndex)).toEqual([1]);
  });
});
