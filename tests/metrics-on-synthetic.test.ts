// Mini-SOI ground truth, loaded through the SOI-Det loader, scored by @babelrs/metrics-hmap
// with the SOI-Det protocols (SAR: coco on HBB; RGB / IR: soi on OBB) against detections whose
// right answers can be worked out by hand.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classesOfModality, generateMiniSoi, loadSoiDet, type DetectionSample, type Modality } from '@babelrs/datasets';
import { createDataset, evaluateModalityDatasets, type DetectionObject, type GroundTruthObject, type ModalityDataset } from '@babelrs/metrics-hmap';

const MODS: Modality[] = ['sar', 'rgb', 'ir'];
const PROTOCOL = { sar: 'coco', rgb: 'soi', ir: 'soi' } as const;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-metrics-synth-'));
let samples: DetectionSample[] = [];

beforeAll(async () => {
  const root = path.join(tmp, 'mini-soi');
  await generateMiniSoi(root, { seed: 11, images: { sar: 30, rgb: 30, ir: 30 } });
  samples = (await loadSoiDet(root)).samples;
}, 120_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * Moves a box by `fraction` of its width along its own width axis (HBB: along x). Two equal
 * rectangles offset by f·w along that axis overlap in (1 − f)·w·h, so IoU = (1 − f) / (1 + f)
 * exactly, for every size and angle.
 */
function shiftAlongWidth(box: Float64Array, fraction: number): number[] {
  if (box.length === 4) {
    const d = fraction * (box[2] - box[0]);
    return [box[0] + d, box[1], box[2] + d, box[3]];
  }
  const [cx, cy, w, h, t] = box;
  return [cx + fraction * w * Math.cos(t), cy + fraction * w * Math.sin(t), w, h, t];
}

/** One dataset per modality: its GTs, and one detection per GT made by `detect` (null = none). */
function parts(detect: (m: Modality, box: Float64Array) => number[] | null): ModalityDataset[] {
  return MODS.map((m) => {
    const own = samples.filter((s) => s.modality === m);
    const classes = classesOfModality(m);
    const local = new Map(classes.map((c, k) => [c.id, k]));
    const gts: GroundTruthObject[] = [];
    const dets: DetectionObject[] = [];
    own.forEach((s, image) => {
      const dim = s.boxType === 'hbb' ? 4 : 5;
      s.labels.forEach((label, k) => {
        const box = s.boxes.slice(k * dim, (k + 1) * dim);
        gts.push({ image, label: local.get(label)!, box, difficult: s.difficult[k] === 1 });
        const det = detect(m, box);
        // Distinct scores keep the ranking free of ties.
        if (det) dets.push({ image, label: local.get(label)!, box: det, score: 1 - dets.length * 1e-4 });
      });
    });
    const dataset = createDataset({ geometry: m === 'sar' ? 'hbb' : 'obb', classes: classes.map((c) => c.name), images: own.map((s) => ({ name: s.id, modality: m })), gts, dets });
    return { modality: m, protocol: PROTOCOL[m], dataset };
  });
}

describe('metrics-hmap on mini-SOI ground truth', () => {
  it('loads all three modalities with SAR as HBB and RGB / IR as OBB', () => {
    for (const m of MODS) expect(samples.filter((s) => s.modality === m).length).toBe(30);
    expect(new Set(samples.filter((s) => s.modality === 'sar').map((s) => s.boxType))).toEqual(new Set(['hbb']));
    expect(new Set(samples.filter((s) => s.modality !== 'sar').map((s) => s.boxType))).toEqual(new Set(['obb']));
  });

  it('scores the ground truth as detections at mAP 1 per modality and H-mAP 1', () => {
    const ev = evaluateModalityDatasets(parts((_m, box) => Array.from(box)));
    for (const m of MODS) expect(ev.perModality[m].mAP).toBeCloseTo(1, 12);
    expect(ev.hmap).toBeCloseTo(1, 12);
    expect(ev.mAP).toBeCloseTo(1, 12);
  });

  it('gives a modality without detections mAP 0, which sinks H-mAP to 0', () => {
    const ev = evaluateModalityDatasets(parts((m, box) => (m === 'ir' ? null : Array.from(box))));
    expect(ev.perModality.ir.mAP).toBe(0);
    expect(ev.perModality.sar.mAP).toBeCloseTo(1, 12);
    expect(ev.perModality.rgb.mAP).toBeCloseTo(1, 12);
    expect(ev.hmap).toBe(0);
  });

  it.each([
    // IoU (1 − f)/(1 + f): 0.818 passes the thresholds .50 … .80 (7 of 10) → mAP 0.7;
    // 0.667 passes .50 … .65 (4 of 10) → 0.4; 0.538 passes only .50 → 0.1.
    [0.1, 0.7],
    [0.2, 0.4],
    [0.3, 0.1],
  ])('with every box shifted by %s of its width, every modality scores mAP %s', (fraction, expected) => {
    const ev = evaluateModalityDatasets(parts((_m, box) => shiftAlongWidth(box, fraction)));
    for (const m of MODS) {
      // Each detection is a TP exactly at the thresholds ≤ its IoU, so AP is 1 there and 0 above.
      expect(ev.perModality[m].mAP).toBeCloseTo(expected, 6);
      expect(ev.perModality[m].AP50).toBeCloseTo(1, 6);
    }
    expect(ev.hmap).toBeCloseTo(expected, 6);
  });
});
