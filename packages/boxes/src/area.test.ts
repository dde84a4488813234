import { describe, expect, it } from 'vitest';
import { hbbArea, obbArea, polygonArea } from './index.js';

describe('areas', () => {
  it('hbbArea: w·h, inverted boxes → 0', () => {
    expect(Array.from(hbbArea([0, 0, 2, 3, 1, 1, 1.5, 5, 3, 3, 1, 1]))).toEqual([6, 2, 0]);
  });

  it('obbArea: |w·h| regardless of θ', () => {
    expect(Array.from(obbArea([0, 0, 2, 3, 1.2, 5, 5, 0, 4, 0]))).toEqual([6, 0]);
  });

  it('polygonArea: shoelace, either winding, any vertex count', () => {
    expect(polygonArea([0, 0, 4, 0, 4, 3, 0, 3])).toBe(12);
    expect(polygonArea([0, 3, 4, 3, 4, 0, 0, 0])).toBe(12);
    expect(polygonArea([0, 0, 4, 0, 0, 3])).toBe(6);
    // L-shape (non-convex): 2×2 minus 1×1.
    expect(polygonArea([0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2])).toBe(3);
    expect(polygonArea([0, 0, 1, 1])).toBe(0);
    expect(polygonArea([])).toBe(0);
  });

  it('stays precise far from the origin (relative to the first vertex)', () => {
    const o = 1e7;
    expect(polygonArea([o, o, o + 0.5, o, o + 0.5, o + 0.25, o, o + 0.25])).toBe(0.125);
  });

  it('rejects odd-length polygons', () => {
    expect(() => polygonArea([0, 0, 1])).toThrow(/polygonArea: poly has length 3/);
  });
});
