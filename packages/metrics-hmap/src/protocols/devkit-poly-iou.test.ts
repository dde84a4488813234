import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { polyIoU } from '@babelrs/boxes';
import { devkitPolyIoU, devkitPolyIoUInto, devkitPolyIoUMatrix } from './devkit-poly-iou.js';
import { quadTables } from './convex-quad-iou.js';

// [gt, det, polyiou.iou_poly(gt, det)] from the devkit's C++ (fixtures/gen_devkit_polyiou.py).
const pairs = JSON.parse(fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/devkit_polyiou.json'), 'utf8')) as [number[], number[], number][];

describe('devkitPolyIoU (DOTA devkit polyiou.cpp port)', () => {
  it('equals the devkit bit for bit on 403 pairs (the exact IoU does not)', () => {
    let exactDiffers = 0;
    for (const [g, d, want] of pairs) {
      expect(devkitPolyIoU(Float64Array.from(g), 0, Float64Array.from(d), 0)).toBe(want);
      if (polyIoU(Float64Array.from(d), Float64Array.from(g), { mode: 'iou' })[0] !== want) exactDiffers++;
    }
    expect(exactDiffers).toBeGreaterThan(100); // why the port exists: last-bit differences flip matches at 0.5
  });

  it('matrix: [D, G] with det rows, GT columns; pairs without +1 px HBB overlap are 0', () => {
    const sq = [0, 0, 10, 0, 10, 10, 0, 10];
    const far = [30, 30, 40, 30, 40, 40, 30, 40];
    const m = devkitPolyIoUMatrix(Float64Array.from([...sq, ...far]), Float64Array.from([...sq, ...far, 2, 2, 8, 2, 8, 8, 2, 8]));
    expect(Array.from(m)).toEqual([1, 0, 0.36, 0, 1, 0]);
  });

  it('with a threshold, every pair that can decide a match keeps the devkit value', () => {
    const dets = Float64Array.from(pairs.flatMap(([, d]) => d));
    const gts = Float64Array.from(pairs.flatMap(([g]) => g));
    const full = devkitPolyIoUMatrix(dets, gts);
    for (const thr of [0.5, 0.3]) {
      const fast = devkitPolyIoUMatrix(dets, gts, thr);
      let shortcut = 0;
      const G = gts.length / 8;
      for (let i = 0; i < dets.length / 8; i++) {
        const row = (a: Float64Array): number[] => Array.from(a.subarray(i * G, (i + 1) * G));
        const [f, d] = [row(fast), row(full)];
        // the decision the matcher takes from a row: its argmax and whether it exceeds thr
        const arg = (r: number[]): number => r.indexOf(Math.max(...r));
        expect(Math.max(...f) > thr).toBe(Math.max(...d) > thr);
        if (Math.max(...d) > thr) expect(arg(f)).toBe(arg(d));
        for (let j = 0; j < G; j++) {
          if (f[j] === d[j]) continue;
          shortcut++;
          expect(Math.abs(f[j] - d[j])).toBeLessThan(1e-9); // exact vs devkit: rounding only
        }
      }
      expect(shortcut).toBeGreaterThan(1000);
    }
  });

  it('the tables-and-indices form equals the shortcut rule stated on polyIoU, bit for bit', () => {
    // The rule as first written: exact IoU of every pair from @babelrs/boxes, devkit value where
    // a pair can decide a match (see devkitPolyIoUMatrix).
    const reference = (dets: Float64Array, gts: Float64Array, thr: number): Float64Array => {
      const D = dets.length / 8;
      const G = gts.length / 8;
      const exact = polyIoU(dets, gts, { mode: 'iou' });
      const td = quadTables(dets);
      const tg = quadTables(gts);
      const out = new Float64Array(D * G);
      const m = 1e-6;
      for (let i = 0; i < D; i++) {
        let best = -Infinity;
        let nearBest = 0;
        if (td.regular[i]) {
          for (let j = 0; j < G; j++) if (tg.regular[j] && exact[i * G + j] > best) best = exact[i * G + j];
          for (let j = 0; j < G; j++) if (tg.regular[j] && exact[i * G + j] >= best - 2 * m) nearBest++;
        }
        for (let j = 0; j < G; j++) {
          const iw = Math.max(Math.min(tg.bounds[4 * j + 2], td.bounds[4 * i + 2]) - Math.max(tg.bounds[4 * j], td.bounds[4 * i]) + 1, 0);
          const ih = Math.max(Math.min(tg.bounds[4 * j + 3], td.bounds[4 * i + 3]) - Math.max(tg.bounds[4 * j + 1], td.bounds[4 * i + 1]) + 1, 0);
          if (iw * ih <= 0) continue;
          const e = exact[i * G + j];
          const keep = td.regular[i] && tg.regular[j] && !(Math.abs(e - thr) < m) && !(nearBest > 1 && best >= thr - m && e >= best - 2 * m);
          out[i * G + j] = keep ? e : devkitPolyIoU(gts, 8 * j, dets, 8 * i);
        }
      }
      return out;
    };
    const dets = Float64Array.from(pairs.flatMap(([, d]) => d));
    const gts = Float64Array.from(pairs.flatMap(([g]) => g));
    const td = quadTables(dets);
    const tg = quadTables(gts);
    // random groups of fixture rows (concave and tiny quads among them), picked by index
    const group = fc.tuple(fc.uniqueArray(fc.nat(pairs.length - 1), { minLength: 1, maxLength: 6 }), fc.uniqueArray(fc.nat(pairs.length - 1), { minLength: 1, maxLength: 6 }), fc.constantFrom(0.5, 0.3));
    fc.assert(
      fc.property(group, ([di, gi, thr]) => {
        const pick = (src: Float64Array, rows: number[]): Float64Array => Float64Array.from(rows.flatMap((r) => Array.from(src.subarray(8 * r, 8 * r + 8))));
        const out = new Float64Array(di.length * gi.length).fill(3);
        devkitPolyIoUInto(out, td, Int32Array.from(di), 0, di.length, tg, Int32Array.from(gi), 0, gi.length, thr);
        expect(Array.from(out)).toEqual(Array.from(reference(pick(dets, di), pick(gts, gi), thr)));
      }),
      { numRuns: 300, seed: 4 },
    );
    // and whole: every fixture pair at once
    expect(Array.from(devkitPolyIoUMatrix(dets, gts, 0.5))).toEqual(Array.from(reference(dets, gts, 0.5)));
  });
});
