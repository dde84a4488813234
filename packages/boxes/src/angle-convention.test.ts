import { describe, expect, it } from 'vitest';
import { convertAngleConvention, normalizeObb, obbToPoly, polyIoU } from './index.js';

const PI = Math.PI;

function row(a: Float64Array): number[] {
  return Array.from(a);
}

describe('normalizeObb (README §1 table)', () => {
  it('le90: w ≥ h and θ ∈ [−π/2, π/2)', () => {
    expect(row(normalizeObb([0, 0, 10, 4, 0.3], 'le90'))).toEqual([0, 0, 10, 4, 0.3]);
    // w < h: swap, θ + π/2 = 0.3 + π/2 → stays (< π/2).
    expect(row(normalizeObb([0, 0, 4, 10, 0.3], 'le90'))[4]).toBeCloseTo(0.3 + PI / 2 - PI, 15);
    // π/2 is excluded: maps to −π/2.
    expect(row(normalizeObb([0, 0, 10, 4, PI / 2], 'le90'))).toEqual([0, 0, 10, 4, -PI / 2]);
    // A tall axis-aligned box.
    expect(row(normalizeObb([0, 0, 4, 10, 0], 'le90'))).toEqual([0, 0, 10, 4, -PI / 2]);
    expect(row(normalizeObb([1, 2, 10, 4, 3 * PI + 0.25], 'le90'))[4]).toBeCloseTo(0.25, 12);
  });

  it('le135: w ≥ h and θ ∈ [−π/4, 3π/4)', () => {
    expect(row(normalizeObb([0, 0, 10, 4, -PI / 2], 'le135'))).toEqual([0, 0, 10, 4, PI / 2]);
    expect(row(normalizeObb([0, 0, 10, 4, 3 * PI / 4], 'le135'))[4]).toBeCloseTo(-PI / 4, 15);
    expect(row(normalizeObb([0, 0, 4, 10, 0], 'le135'))).toEqual([0, 0, 10, 4, PI / 2]);
  });

  it('oc: θ ∈ (0, π/2], each quarter turn swaps w and h', () => {
    expect(row(normalizeObb([0, 0, 10, 4, 0], 'oc'))).toEqual([0, 0, 4, 10, PI / 2]);
    expect(row(normalizeObb([0, 0, 10, 4, PI / 2], 'oc'))).toEqual([0, 0, 10, 4, PI / 2]);
    const r = row(normalizeObb([0, 0, 10, 4, -0.5], 'oc')); // one quarter turn up
    expect(r.slice(0, 4)).toEqual([0, 0, 4, 10]);
    expect(r[4]).toBeCloseTo(PI / 2 - 0.5, 15);
    const r2 = row(normalizeObb([0, 0, 10, 4, PI + 0.2], 'oc')); // two quarter turns down
    expect(r2.slice(0, 4)).toEqual([0, 0, 10, 4]);
    expect(r2[4]).toBeCloseTo(0.2, 14);
  });

  it('never changes the rectangle (random boxes, every convention)', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const obbs: number[] = [];
    for (let i = 0; i < 50; i++) obbs.push(rand() * 100, rand() * 100, 1 + rand() * 40, 1 + rand() * 40, (rand() - 0.5) * 20);
    const poly = obbToPoly(obbs);
    for (const c of ['le90', 'le135', 'oc'] as const) {
      const norm = normalizeObb(obbs, c);
      const iou = polyIoU(obbToPoly(norm), poly);
      for (let i = 0; i < 50; i++) expect(iou[i * 50 + i]).toBeGreaterThan(1 - 1e-12);
      for (let i = 0; i < 50; i++) {
        const [w, h, t] = [norm[i * 5 + 2], norm[i * 5 + 3], norm[i * 5 + 4]];
        if (c === 'oc') expect(t > 0 && t <= PI / 2).toBe(true);
        else {
          expect(w).toBeGreaterThanOrEqual(h);
          const lo = c === 'le90' ? -PI / 2 : -PI / 4;
          expect(t >= lo && t < lo + PI).toBe(true);
        }
      }
      // Idempotent.
      expect(row(normalizeObb(norm, c))).toEqual(row(norm));
    }
  });

  it('rejects unknown conventions and bad shapes', () => {
    expect(() => normalizeObb([0, 0, 1, 1, 0], 'le45' as never)).toThrow(/convention is "le45"/);
    expect(() => convertAngleConvention([0, 0, 1, 1], 'le90', 'oc')).toThrow(/multiple of 5/);
  });
});
