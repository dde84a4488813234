import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, beforeAll } from 'vitest';
import { loadSoiDet, type DetectionSample, type Modality } from '@babelrs/datasets';
import { evaluateProtocol, readCocoDataset, readDotaDataset } from '@babelrs/metrics-hmap';
import { detectorPreset } from './config.js';
import { labelSpaces, toLocalLabels } from './label-space.js';
import { writeCocoResults, writeDotaTask1, type ImageDetections } from './result-files.js';
import { scoreDetections, type ModalityResults } from './scoring.js';
import { miniSoiFixture } from './testing/mini-soi-fixture.js';

const spaces = labelSpaces(detectorPreset('tiny'));

function sample(modality: Modality, id: string, boxes: number[], unified: number[]): DetectionSample {
  return { id, modality, imagePath: `/x/${id}.png`, width: 100, height: 100, boxType: modality === 'sar' ? 'hbb' : 'obb', boxes: Float64Array.from(boxes), labels: Int32Array.from(unified), difficult: new Uint8Array(unified.length) };
}

function dets(boxes: number[], scores: number[], labels: number[]): ImageDetections {
  return { boxes: Float64Array.from(boxes), scores: Float32Array.from(scores), labels: Int32Array.from(labels) };
}

describe('scoreDetections (hand-computed cases)', () => {
  it('perfect detections score 1 everywhere; half recall gives the protocols’ known values', () => {
    const sar = sample('sar', 's1', [10, 10, 30, 30, 50, 50, 80, 70], [0, 1]);
    const rgb = sample('rgb', 'r1', [40, 40, 20, 10, 0.3, 70, 20, 12, 8, -0.5], [6, 6]);
    const ir = sample('ir', 'i1', [30, 30, 16, 8, 0.1], [22]);
    const perfect = scoreDetections([
      { modality: 'sar', space: spaces.sar, samples: [sar], detections: [dets([10, 10, 30, 30, 50, 50, 80, 70], [0.9, 0.8], [0, 1])] },
      { modality: 'rgb', space: spaces.rgb, samples: [rgb], detections: [dets([40, 40, 20, 10, 0.3, 70, 20, 12, 8, -0.5], [0.9, 0.7], [0, 0])] },
      { modality: 'ir', space: spaces.ir, samples: [ir], detections: [dets([30, 30, 16, 8, 0.1], [0.5], [1])] },
    ]);
    for (const m of ['sar', 'rgb', 'ir'] as const) {
      expect(perfect.perModality[m]!.AP50).toBeCloseTo(1, 10);
      expect(perfect.perModality[m]!.mAP).toBeCloseTo(1, 10);
    }
    expect(perfect.perModality.sar!.protocol).toBe('coco');
    expect(perfect.perModality.rgb!.protocol).toBe('soi');
    expect(perfect.hmap).toBeCloseTo(1, 10);

    // RGB: one of the two planes found (score 0.9), plus a false positive below it.
    // all-point AP (soi) = recall 0.5 at precision 1 → 0.5 at every IoU threshold.
    // SAR: only the aircraft found → ship AP 0, aircraft AP 1 → mAP 0.5 over the two classes with GT.
    // COCO 101-point interpolation gives 1 for the found class and 0 for the other: 0.5.
    const half = scoreDetections([
      { modality: 'sar', space: spaces.sar, samples: [sar], detections: [dets([50, 50, 80, 70], [0.8], [1])] },
      { modality: 'rgb', space: spaces.rgb, samples: [rgb], detections: [dets([40, 40, 20, 10, 0.3, 10, 90, 5, 5, 0], [0.9, 0.4], [0, 0])] },
      { modality: 'ir', space: spaces.ir, samples: [ir], detections: [dets([30, 30, 16, 8, 0.1], [0.5], [1])] },
    ]);
    expect(half.perModality.rgb!.AP50).toBeCloseTo(0.5, 10);
    expect(half.perModality.rgb!.mAP).toBeCloseTo(0.5, 10);
    expect(half.perModality.sar!.mAP).toBeCloseTo(0.5, 10);
    expect(half.perModality.ir!.mAP).toBeCloseTo(1, 10);
    // H-mAP = 3 / (1/0.5 + 1/0.5 + 1/1) = 0.6
    expect(half.hmap).toBeCloseTo(0.6, 10);
    // global mAP: mean over the union of classes with GT: sar ship 0, aircraft 1, rgb plane 0.5, ir truck 1
    expect(half.mAP).toBeCloseTo(2.5 / 4, 10);
  });

  it('a detection with the wrong class does not count', () => {
    const ir = sample('ir', 'i1', [30, 30, 16, 8, 0.1], [21]);
    const r = scoreDetections([{ modality: 'ir', space: spaces.ir, samples: [ir], detections: [dets([30, 30, 16, 8, 0.1], [0.9], [2])] }]);
    expect(r.perModality.ir!.AP50).toBe(0);
    expect(r.hmap).toBe(0);
  });
});

describe('result files round trip through the metrics-hmap readers', () => {
  let root: string;
  let out: string;
  beforeAll(async () => {
    root = await miniSoiFixture();
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'detector-results-'));
  });

  /** Ground truth jittered into detections with descending scores; every 3rd object missed. */
  function fakeDetections(samples: DetectionSample[], m: Modality): ImageDetections[] {
    const stride = m === 'sar' ? 4 : 5;
    let k = 0;
    return samples.map((s) => {
      const local = toLocalLabels(spaces[m], s.labels, s.id);
      const boxes: number[] = [];
      const scores: number[] = [];
      const labels: number[] = [];
      for (let i = 0; i < local.length; i++, k++) {
        if (k % 3 === 2) continue;
        const b = Array.from(s.boxes.subarray(i * stride, i * stride + stride));
        b[0] += 0.7;
        b[1] -= 0.4;
        if (m === 'sar') b[2] += 0.7;
        boxes.push(...b);
        scores.push(1 - k / 1000);
        labels.push(local[i]);
      }
      return dets(boxes, scores, labels);
    });
  }

  it('SAR: COCO results + ground-truth JSON score like the in-memory evaluation', async () => {
    const samples = (await loadSoiDet(root, { splits: ['val'], modalities: ['sar'] })).samples;
    const d = fakeDetections(samples, 'sar');
    const files = writeCocoResults(path.join(out, 'sar'), samples, d, spaces.sar.names, samples.map((s) => toLocalLabels(spaces.sar, s.labels, s.id)));
    const fromFiles = evaluateProtocol(readCocoDataset(files[1], files[0]), 'coco');
    const inMemory = scoreDetections([{ modality: 'sar', space: spaces.sar, samples, detections: d }]).perModality.sar!;
    expect(inMemory.mAP).toBeGreaterThan(0.3);
    expect(inMemory.mAP).toBeLessThan(0.95);
    expect(fromFiles.mAP).toBeCloseTo(inMemory.mAP, 6);
    expect(fromFiles.AP50).toBeCloseTo(inMemory.AP50, 6);
  });

  it('RGB: DOTA Task1 files score like the in-memory evaluation (soi protocol)', async () => {
    const samples = (await loadSoiDet(root, { splits: ['val'], modalities: ['rgb'] })).samples;
    const d = fakeDetections(samples, 'rgb');
    const files = writeDotaTask1(path.join(out, 'rgb'), samples, d, spaces.rgb.names);
    expect(files).toHaveLength(15);
    expect(files.every((f) => fs.existsSync(f))).toBe(true);
    // The metrics-hmap reader (today) refuses the optional `imagesource:` / `gsd:` header lines: copy without them.
    const labelDir = path.join(out, 'rgb-labels');
    fs.mkdirSync(labelDir, { recursive: true });
    const srcDir = path.join(root, 'rgb', 'labelTxt', 'val');
    for (const f of fs.readdirSync(srcDir)) {
      const lines = fs.readFileSync(path.join(srcDir, f), 'utf8').split('\n').filter((l) => !/^(imagesource|gsd):/.test(l));
      fs.writeFileSync(path.join(labelDir, f), lines.join('\n'));
    }
    const ds = readDotaDataset(labelDir, path.dirname(files[0]), { classes: spaces.rgb.names });
    const fromFiles = evaluateProtocol(ds, 'soi');
    const inMemory = scoreDetections([{ modality: 'rgb', space: spaces.rgb, samples, detections: d }]).perModality.rgb!;
    expect(inMemory.AP50).toBeGreaterThan(0.3);
    // The label files hold polygons rounded to 0.01 px and Task1 lines 2 decimals: IoUs agree to ~1e-3.
    expect(Math.abs(fromFiles.AP50! - inMemory.AP50)).toBeLessThan(0.02);
    expect(Math.abs(fromFiles.mAP - inMemory.mAP)).toBeLessThan(0.03);
  });

  it('results of a modality mix: evaluate names the sample of a box type mismatch', () => {
    const a = sample('rgb', 'r1', [40, 40, 20, 10, 0.3], [6]);
    const b = { ...sample('sar', 'r2', [1, 1, 5, 5], [0]), modality: 'rgb' as const };
    const parts: ModalityResults[] = [{ modality: 'rgb', space: spaces.rgb, samples: [a, b], detections: [dets([], [], []), dets([], [], [])] }];
    expect(() => scoreDetections(parts)).toThrow(/rgb sample r2 has hbb boxes/);
  });
});
