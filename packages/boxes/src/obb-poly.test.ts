import { describe, expect, it } from 'vitest';
import { hbbToObb, hbbToPoly, obbToHbb, obbToPoly, polyToHbb } from './index.js';

const close = (got: ArrayLike<number>, want: number[], digits = 12) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, k) => expect(got[k]).toBeCloseTo(w, digits));
};

describe('OBB / polygon / HBB conversions', () => {
  it('obbToPoly at θ = 0 follows the mmrotate corner order', () => {
    close(obbToPoly([10, 20, 4, 2, 0]), [8, 19, 12, 19, 12, 21, 8, 21]);
  });

  it('obbToPoly at θ = π/2 turns the w-side onto +y (clockwise on screen)', () => {
    // v0 = (−2, −1) → R(π/2)·v0 = (1, −2).
    close(obbToPoly([0, 0, 4, 2, Math.PI / 2]), [1, -2, 1, 2, -1, 2, -1, -2]);
  });

  it('obbToPoly at θ = π/6 (hand: cos = √3/2, sin = 1/2)', () => {
    const c = Math.sqrt(3) / 2, s = 0.5;
    // corner (+w/2, −h/2) with w = 2, h = 0: (c, s).
    close(obbToPoly([0, 0, 2, 0, Math.PI / 6]), [-c, -s, c, s, c, s, -c, -s]);
  });

  it('obbToHbb is the box of the corners', () => {
    const obbs = [5, 5, 4, 2, Math.PI / 4, 0, 0, 10, 2, 0, 1, 1, 6, 2, -Math.PI / 2];
    const viaPoly = polyToHbb(obbToPoly(obbs));
    close(obbToHbb(obbs), Array.from(viaPoly));
    // θ = 45°: half extents (4 + 2)/2·√2/2 = 3/√2.
    const e = 3 / Math.SQRT2;
    close(obbToHbb(obbs.slice(0, 5)), [5 - e, 5 - e, 5 + e, 5 + e]);
  });

  it('polyToHbb takes min/max over any vertex order', () => {
    expect(Array.from(polyToHbb([3, 1, 0, 4, -2, 0, 1, -5]))).toEqual([-2, -5, 3, 4]);
  });

  it('hbbToObb normalises tall boxes per convention', () => {
    expect(Array.from(hbbToObb([0, 0, 10, 4]))).toEqual([5, 2, 10, 4, 0]);
    expect(Array.from(hbbToObb([0, 0, 4, 10], 'le90'))).toEqual([2, 5, 10, 4, -Math.PI / 2]);
    expect(Array.from(hbbToObb([0, 0, 4, 10], 'le135'))).toEqual([2, 5, 10, 4, Math.PI / 2]);
    expect(Array.from(hbbToObb([0, 0, 10, 4], 'oc'))).toEqual([5, 2, 4, 10, Math.PI / 2]);
  });

  it('hbbToPoly equals obbToPoly of the θ = 0 box', () => {
    expect(Array.from(hbbToPoly([1, 2, 5, 8]))).toEqual([1, 2, 5, 2, 5, 8, 1, 8]);
    close(obbToPoly([3, 5, 4, 6, 0]), Array.from(hbbToPoly([1, 2, 5, 8])));
  });

  it('empty input gives empty output; bad shapes throw', () => {
    expect(obbToPoly([]).length).toBe(0);
    expect(() => obbToPoly([1, 2, 3, 4, 5, 6])).toThrow(/obbToPoly: obbs has length 6/);
    expect(() => polyToHbb([1, 2, 3, 4])).toThrow(/multiple of 8/);
  });
});
