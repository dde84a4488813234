import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { polyIoU } from '@babelrs/boxes';
import { devkitPolyIoU, devkitPolyIoUMatrix } from './devkit-poly-iou.js';

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
});
