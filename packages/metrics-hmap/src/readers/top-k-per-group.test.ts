import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateByModality } from '../modality-evaluation.js';
import { evaluateProtocol } from '../protocols/evaluate.js';
import { expectClose, F64_TOL } from '../testing/expect-close.js';
import { loadCase } from '../testing/reference-case.js';
import { readCocoDataset } from './coco-json.js';
import { TopKPerGroup } from './top-k-per-group.js';

/** What pycocotools does: per group, a stable sort by score descending, then the first K. */
function stableTopK(groups: number[], scores: number[], k: number): number[] {
  const kept = new Set<number>();
  const byGroup = new Map<number, number[]>();
  groups.forEach((g, i) => byGroup.set(g, [...(byGroup.get(g) ?? []), i]));
  for (const rows of byGroup.values()) {
    rows.sort((a, b) => scores[b] - scores[a]); // Array.prototype.sort is stable
    rows.slice(0, k).forEach((r) => kept.add(r));
  }
  return [...kept].sort((a, b) => a - b);
}

/** Runs the streaming top-K; returns the kept rows' file positions in the order given back. */
function streamTopK(groups: number[], scores: number[], k: number, numGroups: number): number[] {
  const slotRow: number[] = [];
  const top = new TopKPerGroup(numGroups, k);
  groups.forEach((g, i) => {
    const slot = top.offer(g, scores[i]);
    if (slot < 0) return;
    slotRow[slot] = i;
  });
  expect(top.offered).toBe(groups.length);
  return Array.from(top.order(), (s) => slotRow[s]);
}

describe('TopKPerGroup', () => {
  it('keeps exactly what a stable sort + truncate keeps, in file order (ties: the earlier row)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        // few distinct scores: many ties, including 0 and -0
        fc.array(fc.tuple(fc.nat(3), fc.constantFrom(0, -0, 0.25, 0.5, 0.5000000000000001, 1)), { maxLength: 80 }),
        (k, numGroups, rows) => {
          const groups = rows.map(([g]) => g % numGroups);
          const scores = rows.map(([, s]) => s);
          expect(streamTopK(groups, scores, k, numGroups)).toEqual(stableTopK(groups, scores, k));
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });

  it('an equal score never evicts; a higher one evicts the latest of the lowest', () => {
    // group 0, K = 2: rows 0 (0.5), 1 (0.5) kept; row 2 (0.5) dropped; row 3 (0.9) evicts row 1
    expect(streamTopK([0, 0, 0, 0], [0.5, 0.5, 0.5, 0.9], 2, 1)).toEqual([0, 3]);
    expect(() => new TopKPerGroup(1, 0)).toThrow(RangeError);
  });
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hmap-topk-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A COCO GT + results pair where each (image, category) has far more than 100 detections. */
function writeCrowdedCase(): { gt: string; dets: string } {
  const rand = fc.sample(fc.integer({ min: 0, max: 999 }), { numRuns: 20000, seed: 7 });
  let r = 0;
  const next = (n: number): number => rand[r++ % rand.length] % n;
  const images = [3, 1, 2].map((id) => ({ id, file_name: `im${id}.png` }));
  const categories = [{ id: 1, name: 'car' }, { id: 2, name: 'ship' }];
  const annotations: object[] = [];
  for (const im of images) for (let j = 0; j < 30; j++) {
    annotations.push({ id: annotations.length + 1, image_id: im.id, category_id: 1 + next(2), bbox: [next(400), next(400), 8 + next(90), 8 + next(90)], area: 100 + next(5000), iscrowd: next(15) === 0 ? 1 : 0 });
  }
  const results: object[] = [];
  for (let i = 0; i < 1500; i++) {
    const g = annotations[next(annotations.length)] as { image_id: number; category_id: number; bbox: number[] };
    const jitter = (v: number): number => v + next(9) - 4;
    // scores on a coarse grid: many ties at the cut
    results.push({ image_id: next(3) === 0 ? 1 + next(3) : g.image_id, category_id: g.category_id, bbox: g.bbox.map(jitter), score: next(20) / 20 });
  }
  const gt = path.join(tmp, 'crowded_gt.json');
  const dets = path.join(tmp, 'crowded_dets.json');
  fs.writeFileSync(gt, JSON.stringify({ images, categories, annotations }));
  fs.writeFileSync(dets, JSON.stringify(results));
  return { gt, dets };
}

describe('COCO results read with the coco cut (maxDetsPerImageClass)', () => {
  const { gt, dets } = writeCrowdedCase();

  it('gives the same coco result as reading everything, streamed or not', () => {
    const full = readCocoDataset(gt, dets);
    const want = evaluateProtocol(full, 'coco');
    for (const streamAboveBytes of [undefined, 0]) {
      const cut = readCocoDataset(gt, dets, { maxDetsPerImageClass: 100, streamAboveBytes });
      expect(cut.dets.labels.length).toBeLessThan(full.dets.labels.length);
      expect(cut.dets.labels.length).toBeLessThanOrEqual(3 * 2 * 100);
      expect(evaluateProtocol(cut, 'coco')).toEqual(want);
    }
  });

  it('keeps the rows a stable per-(image, category) sort + truncate keeps, in file order', () => {
    const full = readCocoDataset(gt, dets);
    const cut = readCocoDataset(gt, dets, { maxDetsPerImageClass: 7 });
    const n = full.dets.labels.length;
    const groups = Array.from({ length: n }, (_, i) => full.dets.labels[i] * 3 + full.dets.imageIndex[i]);
    const kept = stableTopK(groups, Array.from(full.dets.scores), 7);
    expect(Array.from(cut.dets.scores)).toEqual(kept.map((i) => full.dets.scores[i]));
    expect(Array.from(cut.dets.boxes)).toEqual(kept.flatMap((i) => Array.from(full.dets.boxes.subarray(4 * i, 4 * i + 4))));
    expect(Array.from(cut.dets.area!)).toEqual(kept.map((i) => full.dets.area![i]));
  });

  it('still validates entries below the cut', () => {
    const bad = path.join(tmp, 'bad_dets.json');
    const rows = Array.from({ length: 5 }, () => ({ image_id: 1, category_id: 1, bbox: [0, 0, 5, 5], score: 0.9 }));
    rows.push({ image_id: 1, category_id: 1, bbox: [0, 0, -5, 5], score: 0.1 });
    fs.writeFileSync(bad, JSON.stringify(rows));
    expect(() => readCocoDataset(gt, bad, { maxDetsPerImageClass: 2 })).toThrow(/\[5\]\.bbox/);
  });
});

describe('coco_map_50_95 reference case through files with the cut', () => {
  it('matches pycocotools (the case has up to 134 detections per image and class)', () => {
    const c = loadCase('coco_map_50_95');
    const gt = path.join(tmp, 'case_gt.json');
    const dets = path.join(tmp, 'case_dets.json');
    fs.writeFileSync(gt, JSON.stringify({
      images: c.images.map((im) => ({ id: im.id + 1, file_name: im.name })),
      categories: c.classes.map((name, k) => ({ id: k + 1, name })),
      annotations: c.gts.map((g, i) => ({ id: i + 1, image_id: g.image_id + 1, category_id: g.label + 1, bbox: g.bbox, area: g.area, iscrowd: g.difficult ? 1 : 0 })),
    }));
    fs.writeFileSync(dets, JSON.stringify(c.detections.map((d) => ({ image_id: d.image_id + 1, category_id: d.label + 1, bbox: d.bbox, score: d.score }))));
    const ds = readCocoDataset(gt, dets, { maxDetsPerImageClass: 100 });
    expect(ds.dets.labels.length).toBeLessThan(c.detections.length);
    for (const im of ds.images) im.modality = c.images.find((x) => x.name === im.name)!.modality;
    const ev = evaluateByModality(ds, 'coco');
    expectClose(ev.all!.mAP, c.expected.all.mAP, F64_TOL, 'mAP');
    for (const [k, v] of Object.entries(c.expected.all.stats)) expectClose((ev.all!.cocoStats as any)[k], v as number, F64_TOL, k);
    expectClose(ev.hmap, c.expected.H_mAP, F64_TOL, 'H_mAP');
  });
});
