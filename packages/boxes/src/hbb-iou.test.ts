import { describe, expect, it } from 'vitest';
import { hbbIoU } from './index.js';

describe('hbbIoU', () => {
  it('hand values: offset squares, containment, disjoint, touching', () => {
    const a = [0, 0, 2, 2];
    const b = [1, 0, 3, 2, 0.5, 0.5, 1.5, 1.5, 5, 5, 6, 6, 2, 0, 4, 2];
    // inter 2, union 6; inner 1×1 in 2×2: 1/4; disjoint 0; shared edge 0.
    expect(Array.from(hbbIoU(a, b))).toEqual([1 / 3, 0.25, 0, 0]);
  });

  it('iof divides by the area of the box in a (COCO crowd rule)', () => {
    // det [0,0,2,2] vs crowd region [1,0,11,10]: inter 2, det area 4 → 0.5.
    expect(hbbIoU([0, 0, 2, 2], [1, 0, 11, 10], { mode: 'iof' })[0]).toBe(0.5);
    expect(hbbIoU([1, 0, 11, 10], [0, 0, 2, 2], { mode: 'iof' })[0]).toBe(0.02);
  });

  it('legacyPlusOne uses pixel-inclusive widths (mmdet use_legacy_coordinate)', () => {
    // [0,0,1,1] and [1,1,2,2]: plain IoU 0; +1 rule: 2×2 boxes sharing 1 pixel → 1/7.
    expect(hbbIoU([0, 0, 1, 1], [1, 1, 2, 2])[0]).toBe(0);
    expect(hbbIoU([0, 0, 1, 1], [1, 1, 2, 2], { legacyPlusOne: true })[0]).toBeCloseTo(1 / 7, 15);
  });

  it('zero-area and inverted boxes give 0, not NaN; shape is N×M', () => {
    const m = hbbIoU([0, 0, 0, 0, 3, 3, 1, 1], [0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3]);
    expect(m.length).toBe(6);
    expect(Array.from(m)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(hbbIoU([0, 0, 0, 0], [0, 0, 0, 0], { mode: 'iof' })[0]).toBe(0);
  });

  it('identical boxes give exactly 1', () => {
    expect(hbbIoU([10.25, 3.5, 40.125, 90], [10.25, 3.5, 40.125, 90])[0]).toBe(1);
  });

  it('rejects bad shapes', () => {
    expect(() => hbbIoU([0, 0, 1], [0, 0, 1, 1])).toThrow(/hbbIoU: a has length 3/);
  });
});
