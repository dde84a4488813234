import { describe, expect, it } from 'vitest';
import { createDataset, modalitiesOf, selectImages } from './dataset.js';
import { MetricsInputError } from './errors.js';
import { evaluateProtocol } from './protocols/evaluate.js';
import type { EvalDataset } from './types.js';

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

describe('validateDataset (columnar input built by hand, checked by every protocol)', () => {
  const good = (): EvalDataset =>
    createDataset({ ...base, gts: [{ image: 0, label: 0, box: [0, 0, 10, 10] }], dets: [{ image: 0, label: 0, box: [0, 0, 10, 10], score: 0.5 }] });

  it('names the user row of a NaN box (not a row inside the IoU call)', () => {
    const ds = good();
    ds.dets.boxes[2] = Number.NaN;
    expect(() => evaluateProtocol(ds, 'voc')).toThrow(MetricsInputError);
    expect(() => evaluateProtocol(ds, 'voc')).toThrow(/dets\.boxes\[0\]\[2\]: coordinate is not a finite number \(NaN\)/);
    const g = good();
    g.gts.boxes[1] = Number.POSITIVE_INFINITY;
    expect(() => evaluateProtocol(g, 'soi')).toThrow(/gts\.boxes\[0\]\[1\]: coordinate is not a finite number \(Infinity\)/);
  });

  it('rejects columns whose length does not match the rows (they used to score 0 silently)', () => {
    const ds = good();
    ds.dets.scores = new Float64Array(0);
    expect(() => evaluateProtocol(ds, 'voc')).toThrow(/dets\.scores: has 0 entries, expected 1/);
    const g = good();
    g.gts.difficult = new Uint8Array(3);
    expect(() => evaluateProtocol(g, 'voc')).toThrow(/gts\.difficult: has 3 entries, expected 1/);
    const a = good();
    a.gts.area = new Float64Array([Number.NaN]);
    expect(() => evaluateProtocol(a, 'coco')).toThrow(/gts\.area\[0\]: area is not a finite number/);
  });

  it('accepts a well-formed dataset', () => {
    expect(evaluateProtocol(good(), 'voc').mAP).toBe(1);
  });
});
