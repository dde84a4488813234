import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { obbToPoly, polyIoU, rotatedIoU } from './index.js';

interface Pair {
  kind: string;
  a: number[];
  b: number[];
  iou: number;
  iof: number;
}
interface QuadPair {
  a: number[];
  b: number[];
  a_convex: boolean;
  b_convex: boolean;
  iou: number;
  iof: number;
}
const FIXTURE = fileURLToPath(new URL('../fixtures/rotated_iou.json', import.meta.url));
const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as { pairs: Pair[]; poly_pairs: QuadPair[] };
const pairs = fixture.pairs;

describe('rotatedIoU — hand-computed', () => {
  it('two unit squares offset by 0.5 → 1/3 (IoF 1/2)', () => {
    expect(rotatedIoU([0, 0, 1, 1, 0], [0.5, 0, 1, 1, 0])[0]).toBeCloseTo(1 / 3, 15);
    expect(rotatedIoU([0, 0, 1, 1, 0], [0.5, 0, 1, 1, 0], { mode: 'iof' })[0]).toBeCloseTo(1 / 2, 15);
  });

  it('2×2 square rotated 45° vs the axis-aligned one → 1/√2', () => {
    // Intersection: the octagon |x|,|y| ≤ 1, |x|+|y| ≤ √2 = 4 − 4·(2−√2)²/2 = 8√2 − 8;
    // union = 8 − (8√2 − 8) = 16 − 8√2; ratio = 1/√2.
    expect(rotatedIoU([0, 0, 2, 2, Math.PI / 4], [0, 0, 2, 2, 0])[0]).toBeCloseTo(Math.SQRT1_2, 14);
  });

  it('identical boxes give exactly 1 within 1e-12, also far from the origin and as (h, w, θ+π/2)', () => {
    const a = [4321.5, 876.25, 13, 7, -1.2, 10, 20, 30, 10, 0.3];
    const iou = rotatedIoU(a, a);
    expect(Math.abs(iou[0] - 1)).toBeLessThan(1e-12);
    expect(Math.abs(iou[3] - 1)).toBeLessThan(1e-12);
    expect(Math.abs(rotatedIoU([50, 50, 40, 20, 0], [50, 50, 20, 40, Math.PI / 2])[0] - 1)).toBeLessThan(1e-12);
  });

  it('touching edges and corners give 0; containment gives area ratio; zero area gives 0 not NaN', () => {
    expect(rotatedIoU([0, 0, 2, 2, 0], [2, 0, 2, 2, 0])[0]).toBe(0);
    expect(rotatedIoU([0, 0, 2, 2, 0], [2, 2, 2, 2, 0])[0]).toBe(0);
    const t = 0.7;
    expect(rotatedIoU([0, 0, 4, 2, t], [4 * Math.cos(t), 4 * Math.sin(t), 4, 2, t])[0]).toBeLessThan(1e-12);
    // 1×1 inside 4×4 (both rotated alike): IoU 1/16, IoF(small in big) 1, IoF(big in small) 1/16.
    const big = [0, 0, 4, 4, 0.4], small = [0.5, 0.5, 1, 1, 0.4];
    expect(rotatedIoU(small, big)[0]).toBeCloseTo(1 / 16, 14);
    expect(rotatedIoU(small, big, { mode: 'iof' })[0]).toBeCloseTo(1, 14);
    expect(rotatedIoU(big, small, { mode: 'iof' })[0]).toBeCloseTo(1 / 16, 14);
    for (const z of [[0, 0, 0, 5, 0.4], [0, 0, 0, 0, 0]]) {
      expect(rotatedIoU(z, [0, 0, 3, 3, 0])[0]).toBe(0);
      expect(rotatedIoU(z, z)[0]).toBe(0);
      expect(rotatedIoU(z, z, { mode: 'iof' })[0]).toBe(0);
    }
  });

  it('is translation invariant: far from the origin (1e6 … 1e12) the IoU equals the one at the origin', () => {
    // The same pairs shifted by a large offset. Absolute corners at 1e9 lose ~1e-7 px, which
    // used to move the IoU by 2.5e-8; the intersection now runs in the first box's frame.
    const a = [0, 0, 4, 2, 0.3, 10, 20, 30, 10, -1.1];
    const b = [0.5, 0, 4, 2, 0.3, 12, 21, 28, 12, -1.0];
    const ref = rotatedIoU(a, b);
    const refIof = rotatedIoU(a, b, { mode: 'iof' });
    for (const off of [1e6, 1e9, 1e12]) {
      const shift = (v: number[]) => v.map((x, k) => (k % 5 < 2 ? x + off : x));
      const m = rotatedIoU(shift(a), shift(b));
      const f = rotatedIoU(shift(a), shift(b), { mode: 'iof' });
      for (let k = 0; k < 4; k++) {
        expect(Math.abs(m[k] - ref[k]), `offset ${off}, entry ${k}`).toBeLessThan(1e-12);
        expect(Math.abs(f[k] - refIof[k]), `iof offset ${off}, entry ${k}`).toBeLessThan(1e-12);
      }
    }
    expect(ref[0]).toBeGreaterThan(0.68); // the pair really overlaps (hand value 0.6885…)
  });

  it('returns an N×M row-major matrix and accepts Float32Array', () => {
    const a = new Float32Array([0, 0, 1, 1, 0, 10, 10, 2, 2, 0]);
    const b = new Float64Array([0.5, 0, 1, 1, 0, 10, 10, 2, 2, 0, 100, 100, 1, 1, 0]);
    const m = rotatedIoU(a, b);
    expect(m.length).toBe(6);
    expect(m[0]).toBeCloseTo(1 / 3, 15);
    expect(m[4]).toBe(1);
    expect([m[1], m[2], m[3], m[5]]).toEqual([0, 0, 0, 0]);
    expect(rotatedIoU([], b).length).toBe(0);
  });

  it('rejects bad shapes and non-finite values with the argument named', () => {
    expect(() => rotatedIoU([0, 0, 1, 1], [0, 0, 1, 1, 0])).toThrow(/rotatedIoU: a has length 4/);
    expect(() => rotatedIoU([0, 0, 1, 1, 0], [0, 0, 1, Infinity, 0])).toThrow(/rotatedIoU: b\[0\]\[3\] is Infinity/);
  });
});

describe('rotatedIoU / polyIoU — shapely fixture (fixtures/gen_rotated_iou.py)', () => {
  it('covers random, near-coincident and degenerate pairs', () => {
    expect(pairs.length).toBeGreaterThan(350);
    expect(new Set(pairs.map((p) => p.kind)).size).toBeGreaterThan(20);
  });

  it('rotatedIoU matches shapely IoU and IoF to 1e-9', () => {
    for (const p of pairs) {
      expect(Math.abs(rotatedIoU(p.a, p.b)[0] - p.iou), `${p.kind} iou`).toBeLessThan(1e-9);
      expect(Math.abs(rotatedIoU(p.a, p.b, { mode: 'iof' })[0] - p.iof), `${p.kind} iof`).toBeLessThan(1e-9);
    }
  });

  it('as one N×M matrix: the diagonal equals the per-pair values', () => {
    const a = pairs.flatMap((p) => p.a), b = pairs.flatMap((p) => p.b);
    const m = rotatedIoU(a, b);
    const n = pairs.length;
    for (let i = 0; i < n; i++) expect(Math.abs(m[i * n + i] - pairs[i].iou)).toBeLessThan(1e-9);
  });

  it('polyIoU of obbToPoly agrees, in both windings', () => {
    for (const p of pairs) {
      const pa = obbToPoly(p.a), pb = obbToPoly(p.b);
      // Reverse b's vertex order: counter-clockwise on screen.
      const pbRev = [pb[6], pb[7], pb[4], pb[5], pb[2], pb[3], pb[0], pb[1]];
      expect(Math.abs(polyIoU(pa, pb)[0] - p.iou), p.kind).toBeLessThan(1e-9);
      expect(Math.abs(polyIoU(pa, pbRev)[0] - p.iou), p.kind).toBeLessThan(1e-9);
      expect(Math.abs(polyIoU(pa, pb, { mode: 'iof' })[0] - p.iof), p.kind).toBeLessThan(1e-9);
    }
  });
});

describe('polyIoU — arbitrary quadrilaterals vs shapely (concave ones included)', () => {
  it('has concave quads in the fixture', () => {
    expect(fixture.poly_pairs.filter((p) => !p.a_convex || !p.b_convex).length).toBeGreaterThan(40);
  });

  it('matches shapely IoU and IoF to 1e-9, pair by pair and as a matrix', () => {
    const qp = fixture.poly_pairs;
    for (const p of qp) {
      expect(Math.abs(polyIoU(p.a, p.b)[0] - p.iou)).toBeLessThan(1e-9);
      expect(Math.abs(polyIoU(p.a, p.b, { mode: 'iof' })[0] - p.iof)).toBeLessThan(1e-9);
    }
    const m = polyIoU(qp.flatMap((p) => p.a), qp.flatMap((p) => p.b));
    for (let i = 0; i < qp.length; i++) expect(Math.abs(m[i * qp.length + i] - qp[i].iou)).toBeLessThan(1e-9);
  });
});

describe('polyIoU — hand-computed', () => {
  it('a concave dart inside a square: IoU = dart area / square area', () => {
    // Dart (0,0) (4,2) (0,4) (1,2): shoelace area (0 + 16 − 4 + 0)/2 = 6; square 0..4: 16.
    expect(polyIoU([0, 0, 4, 2, 0, 4, 1, 2], [0, 0, 4, 0, 4, 4, 0, 4])[0]).toBeCloseTo(6 / 16, 14);
    // Strip [0,1]×[0,4]: at abscissa x the dart covers y ∈ [x/2, 2x] ∪ [4 − 2x, 4 − x/2]
    // (its notch is the triangle (0,0) (1,2) (0,4)), length 3x; ∫₀¹ 3x dx = 1.5.
    // IoU = 1.5 / (6 + 4 − 1.5) = 3/17.
    expect(polyIoU([0, 0, 4, 2, 0, 4, 1, 2], [0, 0, 1, 0, 1, 4, 0, 4])[0]).toBeCloseTo(3 / 17, 14);
  });

  it('a self-intersecting bow-tie gives a finite value in [0, 1]', () => {
    const v = polyIoU([0, 0, 2, 2, 2, 0, 0, 2], [0, 0, 2, 0, 2, 2, 0, 2])[0];
    expect(Number.isFinite(v) && v >= 0 && v <= 1).toBe(true);
  });

  it('axis-aligned unit squares offset by 0.5 → 1/3, any start vertex', () => {
    const a = [0, 0, 1, 0, 1, 1, 0, 1];
    const b = [1.5, 1, 0.5, 1, 0.5, 0, 1.5, 0];
    expect(polyIoU(a, b)[0]).toBeCloseTo(1 / 3, 15);
  });

  it('rejects non-8 rows', () => {
    expect(() => polyIoU([0, 0, 1, 0, 1, 1], [0, 0, 1, 0, 1, 1, 0, 1])).toThrow(/polyIoU: a has length 6.*multiple of 8/);
  });
});
