import { describe, expect, it } from 'vitest';
import { convexIntersectionArea, polygonIntersectionArea } from './index.js';

describe('polygonIntersectionArea (signed triangle fans)', () => {
  it('equals the convex clip for convex polygons, in any winding', () => {
    const p = [0, 0, 3, 0, 3, 2, 0, 2];
    const q = [1, -1, 4, 1, 2, 3, -1, 1];
    const want = convexIntersectionArea(p, q);
    expect(polygonIntersectionArea(p, q)).toBeCloseTo(want, 12);
    expect(polygonIntersectionArea([...p].reverse().flatMap((_, k, r) => (k % 2 ? [] : [r[k + 1], r[k]])), q)).toBeCloseTo(want, 12);
  });

  it('L-shape ∩ square (hand): L = [0,2]² minus [1,2]², square [0.5,1.5]² → 0.75', () => {
    const L = [0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2];
    expect(polygonIntersectionArea(L, [0.5, 0.5, 1.5, 0.5, 1.5, 1.5, 0.5, 1.5])).toBeCloseTo(0.75, 14);
    expect(polygonIntersectionArea(L, L)).toBeCloseTo(3, 14);
  });

  it('disjoint → 0, degenerate → 0, bad input throws', () => {
    expect(polygonIntersectionArea([0, 0, 1, 0, 0, 1], [5, 5, 6, 5, 5, 6])).toBe(0);
    expect(polygonIntersectionArea([0, 0, 1, 0], [0, 0, 1, 0, 0, 1])).toBe(0);
    expect(() => polygonIntersectionArea([0, 0, 1], [0, 0, 1, 0, 0, 1])).toThrow(/p has length 3/);
  });
});
