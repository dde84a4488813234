import { describe, expect, it } from 'vitest';
import { batchedNms, nms, rotatedNms } from './index.js';

const list = (a: Int32Array) => Array.from(a);

describe('nms (horizontal)', () => {
  // 0 and 1 overlap with IoU 1/3 (offset by half a width); 2 is far away; 3 duplicates 0.
  const boxes = [0, 0, 2, 2, 1, 0, 3, 2, 10, 10, 12, 12, 0, 0, 2, 2];

  it('keeps by descending score and suppresses IoU > thr', () => {
    expect(list(nms(boxes, [0.9, 0.8, 0.7, 0.6], 0.3))).toEqual([0, 2]);
    expect(list(nms(boxes, [0.9, 0.8, 0.7, 0.6], 0.5))).toEqual([0, 1, 2]);
    // IoU exactly at the threshold is not suppressed (strict >).
    expect(list(nms(boxes, [0.9, 0.8, 0.7, 0.6], 1 / 3))).toEqual([0, 1, 2]);
  });

  it('ties in score keep the earlier index first', () => {
    expect(list(nms(boxes, [0.5, 0.5, 0.5, 0.5], 0.5))).toEqual([0, 1, 2]);
    expect(list(nms(boxes, [0.5, 0.5, 0.9, 0.5], 0.9))).toEqual([2, 0, 1]);
  });

  it('scoreThr drops boxes with score ≤ thr before suppression; topK caps the result', () => {
    expect(list(nms(boxes, [0.9, 0.8, 0.7, 0.6], 0.3, { scoreThr: 0.85 }))).toEqual([0]);
    // Box 0 below threshold: box 1 survives (not suppressed by a dropped box).
    expect(list(nms(boxes, [0.1, 0.8, 0.7, 0.05], 0.3, { scoreThr: 0.1 }))).toEqual([1, 2]);
    expect(list(nms(boxes, [0.9, 0.8, 0.7, 0.6], 0.5, { topK: 2 }))).toEqual([0, 1]);
    expect(list(nms(boxes, [0.9, 0.8, 0.7, 0.6], 0.5, { topK: 0 }))).toEqual([]);
  });

  it('suppression is greedy: a suppressed box does not suppress others', () => {
    // a=[0,4], b=[2,6], c=[4,8] (1-D chains): a–b IoU 1/3, b–c 1/3, a–c 0.
    const chain = [0, 0, 4, 1, 2, 0, 6, 1, 4, 0, 8, 1];
    expect(list(nms(chain, [0.9, 0.8, 0.7], 0.3))).toEqual([0, 2]);
  });

  it('empty input and errors', () => {
    expect(list(nms([], [], 0.5))).toEqual([]);
    expect(() => nms(boxes, [1, 2], 0.5)).toThrow(/scores has length 2, expected 4/);
    expect(() => nms(boxes, [1, 2, NaN, 1], 0.5)).toThrow(/scores\[2\]\[0\] is NaN/);
    expect(() => nms(boxes, [1, 2, 3, 4], 0.5, { topK: -1 })).toThrow(/topK/);
  });
});

describe('rotatedNms', () => {
  it('uses rotated IoU: a crossed pair overlaps little, a slightly turned copy a lot', () => {
    const boxes = [
      50, 50, 100, 10, 0, // 0
      50, 50, 100, 10, Math.PI / 2, // 1: crosses 0, IoU = 100 / 1900
      50, 50, 100, 10, 0.02, // 2: nearly 0
      200, 200, 10, 10, 0, // 3: elsewhere
    ];
    expect(list(rotatedNms(boxes, [0.9, 0.8, 0.7, 0.6], 0.5))).toEqual([0, 1, 3]);
    expect(list(rotatedNms(boxes, [0.9, 0.8, 0.7, 0.6], 100 / 1900 - 1e-9))).toEqual([0, 3]);
    expect(list(rotatedNms(boxes, [0.9, 0.8, 0.7, 0.6], 0.5, { topK: 1 }))).toEqual([0]);
  });

  it('identical boxes in swapped (h, w, θ+π/2) form suppress each other', () => {
    const boxes = [10, 10, 8, 4, 0.3, 10, 10, 4, 8, 0.3 + Math.PI / 2];
    expect(list(rotatedNms(boxes, [0.5, 0.6], 0.99))).toEqual([1]);
  });
});

describe('batchedNms', () => {
  const boxes = [0, 0, 2, 2, 0, 0, 2, 2, 0.1, 0, 2.1, 2, 10, 10, 12, 12];
  const scores = [0.9, 0.8, 0.7, 0.95];

  it('does not suppress across classes', () => {
    // Boxes 0 and 1 identical but different classes: both kept; 2 suppressed by 0 (same class).
    expect(list(batchedNms(boxes, scores, [0, 1, 0, 0], 0.5))).toEqual([3, 0, 1]);
  });

  it('classAgnostic suppresses across classes', () => {
    expect(list(batchedNms(boxes, scores, [0, 1, 0, 0], 0.5, { classAgnostic: true }))).toEqual([3, 0]);
  });

  it('scoreThr and topK apply to the merged, score-ordered result', () => {
    expect(list(batchedNms(boxes, scores, [0, 1, 2, 0], 0.5, { topK: 2 }))).toEqual([3, 0]);
    expect(list(batchedNms(boxes, scores, [0, 1, 2, 0], 0.5, { scoreThr: 0.75 }))).toEqual([3, 0, 1]);
  });

  it('ties across classes keep index order', () => {
    expect(list(batchedNms(boxes, [0.5, 0.5, 0.5, 0.5], [1, 0, 2, 1], 0.5))).toEqual([0, 1, 2, 3]);
  });

  it('rotated boxes per class', () => {
    const obbs = [0, 0, 4, 2, 0.5, 0, 0, 4, 2, 0.5, 0.1, 0, 4, 2, 0.5];
    expect(list(batchedNms(obbs, [0.9, 0.8, 0.7], [0, 1, 1], 0.5, { rotated: true }))).toEqual([0, 1]);
    expect(() => batchedNms(obbs, [0.9, 0.8, 0.7], [0, 1, 1], 0.5)).toThrow(/multiple of 4/);
    expect(() => batchedNms(boxes, scores, [0, 1], 0.5)).toThrow(/classIds has length 2, expected 4/);
  });
});
