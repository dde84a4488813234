import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { atssAssign } from './atss-assigner.js';

interface AtssCase {
  topk: number;
  anchors: number[];
  numAnchorsPerLevel: number[];
  gtBoxes: number[];
  gtLabels: number[];
  assignedGtIndex: number[];
  maxOverlaps: number[];
  labels: number[];
  iouThresholds: number[];
  numPositives: number;
  numContested: number;
}
const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/atss_cases.json'), 'utf8')) as { cases: AtssCase[] };

describe('atssAssign', () => {
  it.each(fixture.cases.map((c, i) => [`case ${i}: ${c.gtLabels.length} GTs, ${c.numPositives} positives, ${c.numContested} contested`, c] as const))(
    "matches mmdet's ATSSAssigner (torch replica): %s",
    (_name, c) => {
      const r = atssAssign(c.anchors, c.numAnchorsPerLevel, c.gtBoxes, c.gtLabels, { topk: c.topk });
      expect(Array.from(r.assignedGtIndex)).toEqual(c.assignedGtIndex);
      expect(Array.from(r.labels)).toEqual(c.labels);
      c.maxOverlaps.forEach((v, i) => expect(r.maxOverlaps[i]).toBeCloseTo(v, 10));
      c.iouThresholds.forEach((v, i) => expect(r.iouThresholds[i]).toBeCloseTo(v, 10));
    },
  );

  it('hand case: one level, the nearest anchors around the GT centre', () => {
    // Four 10×10 anchors in a row at x = 0, 10, 20, 30; GT [8, 0, 22, 10] centred at x = 15.
    // topk 3 → candidates x = 10, 20, and x = 0 or 30 (equal distance 15: the lower index, 0).
    const anchors = [-5, 0, 5, 10, 5, 0, 15, 10, 15, 0, 25, 10, 25, 0, 35, 10];
    const gt = [8, 0, 22, 10];
    const r = atssAssign(anchors, [4], gt, [3], { topk: 3 });
    // IoUs: anchor 1 [5,15]: 7/17; anchor 2 [15,25]: 7/17; anchor 0 [-5,5]: 0.
    // mean = 14/51, unbiased std = sqrt(((7/17 − 14/51)² · 2 + (14/51)²) / 2) → threshold 0.5119…
    const iou = 7 / 17;
    const mean = (2 * iou) / 3;
    const thr = mean + Math.sqrt((2 * (iou - mean) ** 2 + mean ** 2) / 2);
    expect(r.iouThresholds[0]).toBeCloseTo(thr, 12);
    // 7/17 = 0.4118 < 0.5119: nobody passes — ATSS keeps only clearly better-than-average candidates.
    expect(Array.from(r.assignedGtIndex)).toEqual([0, 0, 0, 0]);
    // With the GT equal to anchor 1, IoU 1 is far above the threshold and the centre is inside.
    const exact = atssAssign(anchors, [4], [5, 0, 15, 10], [3], { topk: 3 });
    expect(Array.from(exact.assignedGtIndex)).toEqual([0, 1, 0, 0]);
    expect(Array.from(exact.labels)).toEqual([-1, 3, -1, -1]);
    expect(exact.maxOverlaps[1]).toBe(1);
  });

  it('no GTs → all background; bad inputs name the problem', () => {
    const r = atssAssign([0, 0, 1, 1], [1], []);
    expect(Array.from(r.assignedGtIndex)).toEqual([0]);
    expect(() => atssAssign([0, 0, 1, 1, 2, 2, 3, 3], [1], [0, 0, 1, 1])).toThrow(/summing to the 2 anchors/);
    expect(() => atssAssign([0, 0, 1], [1], [0, 0, 1, 1])).toThrow(/anchors must be A×4/);
    expect(() => atssAssign([0, 0, 1, 1], [1], [0, 0, 1, 1], [1, 2])).toThrow(/2 gtLabels for 1 gtBoxes/);
  });
});
