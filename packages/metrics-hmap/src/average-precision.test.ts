import { describe, expect, it } from 'vitest';
import { areaAP, ELEVEN_POINT_THRESHOLDS, elevenPointAP } from './average-precision.js';

describe('elevenPointAP', () => {
  it('uses numpy arange thresholds i*0.1 (0.30000000000000004 > 3/10)', () => {
    expect(ELEVEN_POINT_THRESHOLDS[3]).toBe(0.30000000000000004);
    expect(ELEVEN_POINT_THRESHOLDS[6]).toBe(0.6000000000000001);
    expect(ELEVEN_POINT_THRESHOLDS[7]).toBe(0.7000000000000001);
    expect(ELEVEN_POINT_THRESHOLDS[10]).toBe(1);
  });

  it('the trap: a curve ending at recall exactly 3/10 reaches only t = 0, 0.1, 0.2', () => {
    // 10 positives, 3 TPs in a row: recall 0.1, 0.2, 0.3 (= 3/10 in float64), precision 1.
    const recall = [1 / 10, 2 / 10, 3 / 10];
    const precision = [1, 1, 1];
    expect(elevenPointAP(recall, precision)).toBe(3 / 11); // with i/10 it would be 4/11
  });

  it('takes the max precision at recall >= t, 0 where the curve never gets there', () => {
    // hand: recall .5 at precision 1, recall 1 at precision 2/3
    const ap = elevenPointAP([0.5, 0.5, 1], [1, 0.5, 2 / 3]);
    // t = 0..0.5 (6 points) → 1; t = 0.6..1.0 (5 points) → 2/3
    expect(ap).toBeCloseTo((6 + 5 * (2 / 3)) / 11, 15);
  });

  it('is 0 for an empty curve and for NaN recall (devkit, no positives)', () => {
    expect(elevenPointAP([], [])).toBe(0);
    expect(elevenPointAP([Number.NaN], [0])).toBe(0);
  });
});

describe('areaAP', () => {
  it('integrates the right-to-left precision envelope', () => {
    // TP, FP, TP over 2 positives: recall .5 .5 1, precision 1 .5 2/3 → .5·1 + .5·2/3
    expect(areaAP([0.5, 0.5, 1], [1, 0.5, 2 / 3])).toBeCloseTo(5 / 6, 15);
  });

  it('counts an early FP (precision 0 at recall 0) as nothing and lifts it by the envelope', () => {
    expect(areaAP([0, 0.5, 1], [0, 0.5, 2 / 3])).toBeCloseTo(2 / 3, 15);
  });

  it('is 0 without detections and NaN with NaN recall', () => {
    expect(areaAP([], [])).toBe(0);
    expect(Number.isNaN(areaAP([Number.NaN], [0]))).toBe(true);
  });
});
