import { describe, expect, it } from 'vitest';
import { clipPolygonToRect, convexIntersectionArea, polygonArea } from './index.js';

describe('convexIntersectionArea', () => {
  it('triangle ∩ square (hand): right triangle (0,0)(2,0)(0,2) ∩ [0,1]² = 1', () => {
    // Inside the unit square the triangle's hypotenuse x + y = 2 only touches (1,1): area 1.
    expect(convexIntersectionArea([0, 0, 2, 0, 0, 2], [0, 0, 1, 0, 1, 1, 0, 1])).toBeCloseTo(1, 15);
    // Triangle (0,0)(1,0)(0,1) ∩ unit square = 1/2.
    expect(convexIntersectionArea([0, 0, 1, 0, 0, 1], [0, 0, 1, 0, 1, 1, 0, 1])).toBeCloseTo(0.5, 15);
  });

  it('is symmetric and winding-independent', () => {
    const p = [0, 0, 3, 0, 3, 2, 0, 2];
    const q = [1, -1, 4, 1, 2, 3, -1, 1];
    const qRev = [-1, 1, 2, 3, 4, 1, 1, -1];
    const v = convexIntersectionArea(p, q);
    expect(v).toBeGreaterThan(0);
    expect(convexIntersectionArea(q, p)).toBeCloseTo(v, 12);
    expect(convexIntersectionArea(p, qRev)).toBeCloseTo(v, 12);
  });

  it('regular hexagon ∩ itself = its area; disjoint = 0; containment = the inner area', () => {
    const hex: number[] = [];
    for (let k = 0; k < 6; k++) hex.push(Math.cos((k * Math.PI) / 3), Math.sin((k * Math.PI) / 3));
    expect(convexIntersectionArea(hex, hex)).toBeCloseTo((3 * Math.sqrt(3)) / 2, 14);
    expect(convexIntersectionArea(hex, hex.map((v) => v + 5))).toBe(0);
    const small = [-0.1, -0.1, 0.1, -0.1, 0.1, 0.1, -0.1, 0.1];
    expect(convexIntersectionArea(hex, small)).toBeCloseTo(0.04, 15);
  });

  it('degenerate polygons give 0', () => {
    expect(convexIntersectionArea([0, 0, 1, 1, 2, 2], [0, 0, 1, 0, 1, 1, 0, 1])).toBe(0);
    expect(convexIntersectionArea([0, 0, 1, 0], [0, 0, 1, 0, 1, 1, 0, 1])).toBe(0);
  });

  it('handles polygons with many vertices (scratch buffers grow)', () => {
    const circle = (r: number, n: number) => {
      const v: number[] = [];
      for (let k = 0; k < n; k++) v.push(r * Math.cos((2 * Math.PI * k) / n), r * Math.sin((2 * Math.PI * k) / n));
      return v;
    };
    const big = circle(1, 200);
    expect(convexIntersectionArea(big, circle(0.5, 150))).toBeCloseTo(polygonArea(circle(0.5, 150)), 12);
  });
});

describe('clipPolygonToRect', () => {
  it('clips a square straddling the right edge (hand)', () => {
    const out = clipPolygonToRect([8, 2, 12, 2, 12, 6, 8, 6], 0, 0, 10, 10);
    expect(Array.from(out)).toEqual([8, 2, 10, 2, 10, 6, 8, 6]);
  });

  it('clips a diamond at a corner: area and vertices on the border', () => {
    // Diamond centred at (0,0), radius 2, clipped to [0, 5]²: the quarter triangle, area 2.
    const out = clipPolygonToRect([2, 0, 0, 2, -2, 0, 0, -2], 0, 0, 5, 5);
    expect(polygonArea(out)).toBeCloseTo(2, 15);
    for (let k = 0; k < out.length; k += 2) {
      expect(out[k]).toBeGreaterThanOrEqual(0);
      expect(out[k + 1]).toBeGreaterThanOrEqual(0);
    }
  });

  it('keeps a polygon that is inside unchanged and preserves winding', () => {
    const ccw = [1, 1, 1, 3, 3, 3, 3, 1];
    expect(Array.from(clipPolygonToRect(ccw, 0, 0, 5, 5))).toEqual(ccw);
  });

  it('returns empty for no overlap or only a touching edge', () => {
    expect(clipPolygonToRect([20, 20, 30, 20, 30, 30], 0, 0, 10, 10).length).toBe(0);
    expect(clipPolygonToRect([10, 0, 12, 0, 12, 5, 10, 5], 0, 0, 10, 10).length).toBe(0);
  });

  it('a polygon larger than the rect becomes the rect', () => {
    const out = clipPolygonToRect([-5, -5, 15, -5, 15, 15, -5, 15], 0, 0, 10, 10);
    expect(polygonArea(out)).toBe(100);
    expect(out.length).toBe(8);
  });

  it('rejects an inverted rect and bad input', () => {
    expect(() => clipPolygonToRect([0, 0, 1, 0, 1, 1], 5, 0, 1, 1)).toThrow(/x2 < x1/);
    expect(() => clipPolygonToRect([0, 0, 1, 0, 1], 0, 0, 1, 1)).toThrow(/poly has length 5/);
  });
});
