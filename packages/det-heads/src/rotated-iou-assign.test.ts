// Max-IoU assignment (mmdet MaxIoUAssigner rules) on hand-made IoU tables, rotated-IoU
// assignment on hand-made boxes, and the seeded random sampler.
import { Rng } from '@babelrs/core';
import { describe, expect, it } from 'vitest';
import { MAX_IOU_IGNORED, MAX_IOU_NEGATIVE, RCNN_ASSIGN, RPN_ASSIGN, maxIouAssign, rotatedIouAssign, samplePositivesNegatives } from './rotated-iou-assign.js';
import { DetHeadInputError } from './errors.js';

// 4 boxes × 2 ground truths.
const IOU = [0.8, 0.1, 0.4, 0.2, 0.1, 0.35, 0.0, 0.0];

describe('maxIouAssign', () => {
  it('follows the RPN rules: ≥ 0.7 positive, < 0.3 negative, low-quality best match ≥ 0.3', () => {
    const a = maxIouAssign(IOU, 4, 2, RPN_ASSIGN);
    // box 1 (0.4) sits between the thresholds; box 2 (0.35) is gt 1's best → low-quality match.
    expect(Array.from(a.gtIndex)).toEqual([0, MAX_IOU_IGNORED, 1, MAX_IOU_NEGATIVE]);
    expect(Array.from(a.maxIou)).toEqual([0.8, 0.4, 0.35, 0]);
  });

  it('without low-quality matching the in-between boxes stay ignored', () => {
    const a = maxIouAssign(IOU, 4, 2, { ...RPN_ASSIGN, matchLowQuality: false });
    expect(Array.from(a.gtIndex)).toEqual([0, MAX_IOU_IGNORED, MAX_IOU_IGNORED, MAX_IOU_NEGATIVE]);
  });

  it('an ignored ground truth neither matches nor makes its neighbours background', () => {
    // gt 1 ignored: box 2 overlaps it by 0.35 ≥ 0.3 → MAX_IOU_IGNORED rather than negative.
    const a = maxIouAssign(IOU, 4, 2, RPN_ASSIGN, { ignoreGt: [0, 1] });
    expect(Array.from(a.gtIndex)).toEqual([0, MAX_IOU_IGNORED, MAX_IOU_IGNORED, MAX_IOU_NEGATIVE]);
  });

  it('invalid boxes take no part and no ground truth makes everything background', () => {
    // Box 0 invalid: gt 0's best valid box is box 1 (0.4 ≥ 0.3) → low-quality match.
    expect(Array.from(maxIouAssign(IOU, 4, 2, RPN_ASSIGN, { valid: [0, 1, 1, 1] }).gtIndex)).toEqual([MAX_IOU_IGNORED, 0, 1, MAX_IOU_NEGATIVE]);
    expect(Array.from(maxIouAssign([], 3, 0, RPN_ASSIGN).gtIndex)).toEqual([MAX_IOU_NEGATIVE, MAX_IOU_NEGATIVE, MAX_IOU_NEGATIVE]);
    expect(() => maxIouAssign([0.5], 2, 2, RPN_ASSIGN)).toThrow(DetHeadInputError);
  });
});

describe('rotatedIouAssign', () => {
  it('uses exact rotated IoU: the same rectangle written with swapped sides matches, a far one does not', () => {
    const gts = [50, 50, 40, 10, 0.3];
    const boxes = [
      50, 50, 10, 40, 0.3 - Math.PI / 2, // same rectangle, IoU 1
      50, 50, 40, 10, 0.3 + Math.PI / 2, // turned 90°: IoU = 100/(800-100) ≈ 0.14
      50, 52, 40, 10, 0.3, // shifted 2 px across the short side: IoU = 8/12 ≈ 0.667… (> 0.5)
    ];
    const a = rotatedIouAssign(boxes, gts, RCNN_ASSIGN);
    expect(Array.from(a.gtIndex)).toEqual([0, MAX_IOU_NEGATIVE, 0]);
    expect(a.maxIou[0]).toBeCloseTo(1, 9);
    expect(a.maxIou[1]).toBeCloseTo(100 / 700, 9);
  });
});

describe('samplePositivesNegatives', () => {
  const assign = { gtIndex: Int32Array.from([0, 1, MAX_IOU_NEGATIVE, 0, MAX_IOU_NEGATIVE, MAX_IOU_IGNORED, 1, MAX_IOU_NEGATIVE, MAX_IOU_NEGATIVE, 0, MAX_IOU_NEGATIVE, MAX_IOU_NEGATIVE]), maxIou: new Float64Array(12) };

  it('caps positives at num·posFraction and fills with negatives, deterministically per seed', () => {
    const s1 = samplePositivesNegatives(assign, { num: 8, posFraction: 0.25, rng: new Rng(4) });
    expect(s1.pos.length).toBe(2);
    expect(s1.neg.length).toBe(6);
    for (const i of s1.pos) expect(assign.gtIndex[i]).toBeGreaterThanOrEqual(0);
    for (const i of s1.neg) expect(assign.gtIndex[i]).toBe(MAX_IOU_NEGATIVE);
    expect(new Set(s1.neg).size).toBe(6);
    const s2 = samplePositivesNegatives(assign, { num: 8, posFraction: 0.25, rng: new Rng(4) });
    expect(Array.from(s2.pos)).toEqual(Array.from(s1.pos));
    expect(Array.from(s2.neg)).toEqual(Array.from(s1.neg));
  });

  it('takes every box when fewer exist than asked for', () => {
    const s = samplePositivesNegatives(assign, { num: 64, posFraction: 0.5, rng: new Rng(1) });
    expect(Array.from(s.pos)).toEqual([0, 1, 3, 6, 9]);
    expect(Array.from(s.neg)).toEqual([2, 4, 7, 8, 10, 11]);
  });
});
