import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { constant, cosine, linear, multiStep, sequential, warmupMultiStep, withWarmup } from './schedules.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const torchSchedules = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'optim.json'), 'utf8')).schedules as Record<string, number[]>;

describe('schedules', () => {
  it('cosine with min matches torch CosineAnnealingLR up to T_max, then holds the min', () => {
    const s = cosine(10, { min: 0.1 });
    torchSchedules['cosine_T10_min0.1'].slice(0, 11).forEach((v, t) => expect(s(t)).toBeCloseTo(v, 12));
    expect(s(15)).toBeCloseTo(0.1, 12);
  });

  it('multiStep matches torch MultiStepLR', () => {
    const s = multiStep([7, 3], 0.5);
    torchSchedules['multistep_3_7_g0.5'].forEach((v, t) => expect(s(t)).toBe(v));
  });

  it('linear and constant by hand', () => {
    const s = linear(0, 1, 4);
    expect([0, 1, 2, 3, 4, 9].map(s)).toEqual([0, 0.25, 0.5, 0.75, 1, 1]);
    expect(constant(0.3)(1234)).toBe(0.3);
  });

  it('withWarmup ramps linearly into the wrapped schedule, which starts at its own step 0', () => {
    const s = withWarmup(cosine(100), 10, 0);
    expect(s(0)).toBe(0);
    expect(s(5)).toBeCloseTo(0.5, 12);
    expect(s(10)).toBe(1);
    expect(s(60)).toBeCloseTo(0.5, 12); // cosine midpoint at its step 50
    expect(withWarmup(constant(2), 4, 0.25)(2)).toBeCloseTo(2 * (0.25 * 0.5 + 0.5), 12);
  });

  it('sequential chains schedules with local step counts', () => {
    const s = sequential([
      [linear(0, 1, 2), 2],
      [constant(1), 3],
      [multiStep([1], 0.1), Infinity],
    ]);
    // steps 0–1 linear, 2–4 constant, 5+ multiStep seeing local steps 0, 1, …
    expect([0, 1, 2, 4, 5, 6, 100].map(s)).toEqual([0, 0.5, 1, 1, 1, 0.1, 0.1]);
  });

  it('warmupMultiStep: the fine-tuning recipe (warm-up, ×0.1 at 8/12 and 11/12)', () => {
    const s = warmupMultiStep(1200, 500, { startFactor: 0.001 });
    expect(s(0)).toBeCloseTo(0.001, 12);
    expect(s(250)).toBeCloseTo(0.001 * 0.5 + 0.5, 12);
    expect(s(500)).toBe(1);
    expect(s(799)).toBe(1);
    expect(s(800)).toBeCloseTo(0.1, 12);
    expect(s(1100)).toBeCloseTo(0.01, 12);
  });

  it('rejects bad lengths', () => {
    expect(() => cosine(0)).toThrow(/steps must be a positive number/);
    expect(() => withWarmup(constant(1), -1)).toThrow(/warmupSteps/);
  });
});
