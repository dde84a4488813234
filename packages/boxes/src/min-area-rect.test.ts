import { describe, expect, it } from 'vitest';
import { obbToPoly, polyIoU, polyToObb } from './index.js';

describe('polyToObb (minimum-area rectangle)', () => {
  it('recovers an axis-aligned rectangle given in any vertex order', () => {
    const want = [5, 2, 10, 4, 0];
    for (const poly of [
      [0, 0, 10, 0, 10, 4, 0, 4],
      [10, 4, 0, 4, 0, 0, 10, 0],
      [0, 0, 0, 4, 10, 4, 10, 0],
    ]) {
      const got = polyToObb(poly);
      want.forEach((w, k) => expect(got[k]).toBeCloseTo(w, 12));
    }
  });

  it('recovers random rotated rectangles (round trip through obbToPoly) to float error', () => {
    let seed = 3;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 200; i++) {
      const w = 1 + rand() * 80, h = 1 + rand() * 80;
      const obb = [rand() * 800, rand() * 800, Math.max(w, h) + 1e-3, Math.min(w, h), -Math.PI / 2 + rand() * Math.PI];
      const got = polyToObb(obbToPoly(obb), 'le90');
      for (let k = 0; k < 4; k++) expect(Math.abs(got[k] - obb[k])).toBeLessThan(1e-9);
      expect(Math.abs(got[4] - obb[4])).toBeLessThan(1e-9);
    }
  });

  it('a parallelogram gets its minimum-area bounding rectangle (hand)', () => {
    // Parallelogram (0,0) (4,0) (5,1) (1,1): hull edges horizontal → rectangle 5×1 (area 5);
    // the slanted edges give a larger box. Centre (2.5, 0.5).
    const got = polyToObb([0, 0, 4, 0, 5, 1, 1, 1]);
    [2.5, 0.5, 5, 1, 0].forEach((w, k) => expect(got[k]).toBeCloseTo(w, 12));
  });

  it('a diamond (square rotated 45°) yields a square with θ ≡ 45° (mod 90°)', () => {
    const got = polyToObb([0, -1, 1, 0, 0, 1, -1, 0]);
    expect(got[2]).toBeCloseTo(Math.SQRT2, 12);
    expect(got[3]).toBeCloseTo(Math.SQRT2, 12);
    expect(Math.abs(Math.abs(got[4]) - Math.PI / 4)).toBeLessThan(1e-12);
  });

  it('an arbitrary quadrilateral: the rectangle contains it and has minimal area among all angles', () => {
    const quad = [0, 0, 7, 1, 6, 5, 1, 3];
    const obb = polyToObb(quad);
    // Contains the quad: IoF(quad in rect) = 1.
    expect(polyIoU(quad, obbToPoly(obb), { mode: 'iof' })[0]).toBeCloseTo(1, 12);
    const area = obb[2] * obb[3];
    for (let a = 0; a < Math.PI; a += Math.PI / 720) {
      const c = Math.cos(a), s = Math.sin(a);
      const us: number[] = [], vs: number[] = [];
      for (let k = 0; k < 8; k += 2) {
        us.push(quad[k] * c + quad[k + 1] * s);
        vs.push(-quad[k] * s + quad[k + 1] * c);
      }
      const boxArea = (Math.max(...us) - Math.min(...us)) * (Math.max(...vs) - Math.min(...vs));
      expect(area).toBeLessThanOrEqual(boxArea + 1e-9);
    }
  });

  it('degenerate input: collinear points give h = 0, a single point gives w = h = 0', () => {
    const line = polyToObb([0, 0, 1, 1, 2, 2, 3, 3]);
    [1.5, 1.5, 3 * Math.SQRT2, 0, Math.PI / 4].forEach((w, k) => expect(line[k]).toBeCloseTo(w, 12));
    expect(Array.from(polyToObb([2, 3, 2, 3, 2, 3, 2, 3]))).toEqual([2, 3, 0, 0, 0]);
  });

  it('normalises to the requested convention', () => {
    const poly = [0, 0, 4, 0, 4, 10, 0, 10]; // tall box
    expect(Array.from(polyToObb(poly, 'le90')).map((v) => +v.toFixed(12))).toEqual([2, 5, 10, 4, +(-Math.PI / 2).toFixed(12)]);
    expect(Array.from(polyToObb(poly, 'oc')).map((v) => +v.toFixed(12))).toEqual([2, 5, 10, 4, +(Math.PI / 2).toFixed(12)]);
  });
});
