import { describe, expect, it } from 'vitest';
import { alphaAt, DEFAULT_LVSA_TAU, lvsaAlpha, lvsaAlphaCosine } from './alpha-schedule.js';

describe('lvsaAlpha', () => {
  it('is min(t/τ, 1) at 0, τ/2, τ and 2τ', () => {
    expect(lvsaAlpha(0)).toBe(0);
    expect(lvsaAlpha(3000)).toBe(0.5);
    expect(lvsaAlpha(6000)).toBe(1);
    expect(lvsaAlpha(12000)).toBe(1);
    expect(lvsaAlpha(150, 600)).toBe(0.25);
    expect(DEFAULT_LVSA_TAU).toBe(6000);
  });

  it('rejects a negative step and a non-positive tau', () => {
    expect(() => lvsaAlpha(-1)).toThrow(/step/);
    expect(() => lvsaAlpha(1, 0)).toThrow(/tau/);
    expect(() => lvsaAlpha(Number.NaN)).toThrow(/step/);
  });
});

describe('lvsaAlphaCosine', () => {
  it('goes 0 → 1/2 → 1 with a half-cosine in between', () => {
    expect(lvsaAlphaCosine(0, 100)).toBe(0);
    expect(lvsaAlphaCosine(50, 100)).toBeCloseTo(0.5, 12);
    expect(lvsaAlphaCosine(25, 100)).toBeCloseTo((1 - Math.SQRT1_2) / 2, 12);
    expect(lvsaAlphaCosine(100, 100)).toBe(1);
    expect(lvsaAlphaCosine(400, 100)).toBe(1);
  });
});

describe('alphaAt', () => {
  it('dispatches on the ramp name and rejects unknown ramps', () => {
    expect(alphaAt({ ramp: 'linear', tau: 10 }, 4)).toBeCloseTo(0.4, 12);
    expect(alphaAt({ ramp: 'cosine', tau: 10 }, 5)).toBeCloseTo(0.5, 12);
    expect(() => alphaAt({ ramp: 'step' as 'linear', tau: 10 }, 5)).toThrow(/unknown LVSA ramp 'step'/);
  });
});
