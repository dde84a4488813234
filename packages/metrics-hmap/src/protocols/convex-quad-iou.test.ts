import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { polyIoU } from '@babelrs/boxes';
import { convexQuadIoU, quadTables } from './convex-quad-iou.js';

/** A convex quad: a rotated rectangle or a random convex quadrilateral around a centre. */
const quad = fc.tuple(fc.double({ min: 0, max: 200, noNaN: true }), fc.double({ min: 0, max: 200, noNaN: true }), fc.double({ min: 0.5, max: 60, noNaN: true }), fc.double({ min: 0.5, max: 60, noNaN: true }), fc.double({ min: 0, max: 6.3, noNaN: true }), fc.array(fc.double({ min: 0, max: 0.4, noNaN: true }), { minLength: 4, maxLength: 4 }), fc.boolean()).map(([cx, cy, w, h, a, jitter, cw]) => {
  const pts: number[] = [];
  for (let k = 0; k < 4; k++) {
    const t = a + (k * Math.PI) / 2 + jitter[k] * (cw ? -1 : 1);
    pts.push(cx + w * Math.cos(t), cy + h * Math.sin(t));
  }
  return pts;
});

describe('convexQuadIoU', () => {
  it('equals @babelrs/boxes polyIoU bit for bit on convex quads (either winding)', () => {
    fc.assert(
      fc.property(fc.array(quad, { minLength: 1, maxLength: 6 }), fc.array(quad, { minLength: 1, maxLength: 6 }), (as, bs) => {
        const a = Float64Array.from(as.flat());
        const b = Float64Array.from(bs.flat());
        const ta = quadTables(a);
        const tb = quadTables(b);
        const want = polyIoU(a, b, { mode: 'iou' });
        for (let i = 0; i < as.length; i++) for (let j = 0; j < bs.length; j++) expect(convexQuadIoU(ta, i, tb, j)).toBe(want[i * bs.length + j]);
      }),
      { numRuns: 400, seed: 8 },
    );
  });

  it('tables: bounds, |area| and "regular" (strictly convex, area ≥ 1)', () => {
    const t = quadTables(Float64Array.from([0, 0, 4, 0, 4, 2, 0, 2, 0, 0, 4, 0, 1, 1, 0, 4, 0, 0, 0.5, 0, 0.5, 0.5, 0, 0.5]));
    expect(Array.from(t.bounds.subarray(0, 4))).toEqual([0, 0, 4, 2]);
    expect(Array.from(t.area)).toEqual([8, 4, 0.25]);
    expect(Array.from(t.regular)).toEqual([1, 0, 0]); // rectangle; concave (dart); too small
  });

  it('"regular" is the loop rule (4 strict turns of one sign, |twice area| ≥ 2) on any quad', () => {
    const spec = (q: number[]): number => {
      let pos = 0;
      let neg = 0;
      let twice = 0;
      for (let k = 0; k < 4; k++) {
        const [ax, ay, bx, by, cx, cy] = [q[2 * k], q[2 * k + 1], q[(2 * k + 2) % 8], q[(2 * k + 3) % 8], q[(2 * k + 4) % 8], q[(2 * k + 5) % 8]];
        const turn = (bx - ax) * (cy - by) - (by - ay) * (cx - bx);
        if (turn > 0) pos++;
        else if (turn < 0) neg++;
        twice += ax * by - ay * bx;
      }
      return (pos === 4 || neg === 4) && Math.abs(twice) >= 2 ? 1 : 0;
    };
    const c = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ min: -3, max: 3, noNaN: true }));
    fc.assert(
      fc.property(fc.array(fc.array(c, { minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 10 }), (qs) => {
        expect(Array.from(quadTables(Float64Array.from(qs.flat())).regular)).toEqual(qs.map(spec));
      }),
      { numRuns: 500, seed: 12 },
    );
  });
});
