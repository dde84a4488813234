import { describe, expect, it } from 'vitest';
import { Boxes, RotatedBoxes } from './index.js';

describe('Boxes', () => {
  it('stores xyxy from any layout; area, clip, nonempty, filter, iou', () => {
    const b = new Boxes([-5, 10, 20, 30, 5, 5, 0, 0, 90, 90, 20, 20], 'xywh');
    expect(b.length).toBe(3);
    expect(Array.from(b.data)).toEqual([-5, 10, 15, 40, 5, 5, 5, 5, 90, 90, 110, 110]);
    expect(Array.from(b.area())).toEqual([600, 0, 400]);
    const c = b.clip(100, 100);
    expect(Array.from(c.data)).toEqual([0, 10, 15, 40, 5, 5, 5, 5, 90, 90, 100, 100]);
    expect(c.nonempty()).toEqual([true, false, true]);
    const kept = c.filter(c.nonempty());
    expect(kept.length).toBe(2);
    expect(Array.from(kept.to('cxcywh'))).toEqual([7.5, 25, 15, 30, 95, 95, 10, 10]);
    expect(Array.from(kept.iou(kept))).toEqual([1, 0, 0, 1]);
  });

  it('converts to rotated boxes (le90)', () => {
    expect(Array.from(new Boxes([0, 0, 4, 10]).toRotated().data)).toEqual([2, 5, 10, 4, -Math.PI / 2]);
  });
});

describe('RotatedBoxes', () => {
  it('area, nonempty, normalize, iou, toPoly, toHbb', () => {
    const r = new RotatedBoxes([0, 0, 2, 2, Math.PI / 4, 0, 0, 2, 2, 0, 5, 5, 0, 3, 0]);
    expect(Array.from(r.area())).toEqual([4, 4, 0]);
    expect(r.nonempty()).toEqual([true, true, false]);
    expect(r.iou(r)[1]).toBeCloseTo(Math.SQRT1_2, 14);
    expect(r.toPoly().length).toBe(24);
    expect(r.toHbb().data[2]).toBeCloseTo(Math.SQRT2, 14);
    expect(Array.from(new RotatedBoxes([0, 0, 1, 3, 0]).normalize('le90').data)).toEqual([0, 0, 3, 1, -Math.PI / 2]);
  });

  it('clip clamps near-horizontal boxes only', () => {
    const r = new RotatedBoxes([5, 5, 20, 4, 0, 5, 5, 20, 4, Math.PI, 50, 50, 200, 4, 0.5]).clip(100, 100);
    expect(Array.from(r.data.subarray(0, 5))).toEqual([7.5, 5, 15, 4, 0]);
    expect(r.data[5 + 2]).toBeCloseTo(15, 12);
    expect(Array.from(r.data.subarray(10))).toEqual([50, 50, 200, 4, 0.5]);
  });
});
