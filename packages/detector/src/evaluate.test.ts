import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@babelrs/core';
import { loadSoiDet, type DetectionSample, type TransformGeometry } from '@babelrs/datasets';
import { evaluateProtocol, readCocoDataset } from '@babelrs/metrics-hmap';
import { evaluate } from './evaluate.js';
import { toOriginal } from './inference.js';
import { MultiModalDetector } from './multi-modal-detector.js';
import { predict } from './predict.js';
import { miniSoiFixture } from './testing/mini-soi-fixture.js';
import { microConfig } from './testing/micro-config.js';

let root: string;
let detector: MultiModalDetector;
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = await miniSoiFixture({ imageSize: 48, objectScale: 2, difficulty: 0, objects: [1, 2] });
  detector = new MultiModalDetector(microConfig({ seed: 8 }));
});

describe('evaluate', () => {
  it('scores every modality, writes COCO results / DOTA Task1 files, and the files re-score to the same SAR numbers', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'detector-eval-'));
    const before = tf.memory().numTensors;
    const r = await evaluate({ detector, data: { root, split: 'val' }, outDir: out, batchSize: 5, decode: { scoreThreshold: 0.01 } });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.numImages).toBe(12);
    expect(Object.keys(r.perModality)).toEqual(['sar', 'rgb', 'ir']);
    expect(r.perModality.sar!.protocol).toBe('coco');
    expect(r.perModality.ir!.protocol).toBe('soi');
    for (const v of [r.mAP, r.hmap, r.metrics['AP50/sar'], r.metrics['mAP/rgb']]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(r.files).toContain(path.join(out, 'sar', 'results.json'));
    expect(r.files.filter((f) => f.includes(`${path.sep}rgb${path.sep}Task1${path.sep}`))).toHaveLength(15);
    expect(r.files.filter((f) => f.includes(`${path.sep}ir${path.sep}Task1${path.sep}`))).toHaveLength(5);
    const results = JSON.parse(fs.readFileSync(path.join(out, 'sar', 'results.json'), 'utf8')) as Array<{ image_id: number; bbox: number[]; score: number }>;
    expect(results.length).toBeGreaterThan(0);
    expect(results[0].bbox).toHaveLength(4);
    const again = evaluateProtocol(readCocoDataset(path.join(out, 'sar', 'ground-truth.json'), path.join(out, 'sar', 'results.json')), 'coco');
    expect(again.mAP).toBeCloseTo(r.perModality.sar!.mAP, 5);
    expect(again.AP50).toBeCloseTo(r.perModality.sar!.AP50, 5);
    // no temp files left behind
    expect(fs.readdirSync(path.join(out, 'sar')).sort()).toEqual(['ground-truth.json', 'results.json']);
  });

  it('names a split that has no samples', async () => {
    await expect(evaluate({ detector, data: { root, split: 'nosuchsplit' } })).rejects.toThrow(/no sar\/rgb\/ir samples in split "nosuchsplit"/);
  });
});

describe('predict / toOriginal', () => {
  it('maps canvas detections back through resize and padding (hand-computed)', () => {
    // a 96×48 image resized to 48×24 (scale 0.5) then padded to 48×48
    const geometry: TransformGeometry = { origWidth: 96, origHeight: 48, toCurrent: [0.5, 0, 0, 0, 0.5, 0], scaleX: 0.5, scaleY: 0.5, padRight: 0, padBottom: 24, applied: ['resizePad', 'pad'] };
    const sample = { boxType: 'hbb' } as DetectionSample;
    const d = toOriginal({ boxType: 'hbb', boxes: Float64Array.from([4, 2, 10, 8]), scores: Float32Array.from([0.9]), labels: Int32Array.from([1]) }, sample, geometry);
    expect(Array.from(d.boxes)).toEqual([8, 4, 20, 16]);
    // an OBB head on HBB data: the hull of the rotated box, in original pixels
    const o = toOriginal({ boxType: 'obb', boxes: Float64Array.from([10, 10, 4, 2, 0]), scores: Float32Array.from([0.5]), labels: Int32Array.from([0]) }, sample, geometry);
    expect(Array.from(o.boxes)).toEqual([16, 18, 24, 22]);
  });

  it('returns detections with class names per image, in the data geometry of the modality', async () => {
    const val = (await loadSoiDet(root, { splits: ['val'] })).samples;
    const inputs = [val.find((s) => s.modality === 'rgb')!, val.find((s) => s.modality === 'sar')!].map((s) => ({ path: s.imagePath, modality: s.modality }));
    const p = await predict(detector, inputs, { decode: { scoreThreshold: 0 } });
    expect(p.map((x) => [x.modality, x.boxType, x.width])).toEqual([['rgb', 'obb', 48], ['sar', 'hbb', 48]]);
    expect(p[0].boxes.length).toBe(p[0].labels.length * 5);
    expect(p[1].boxes.length).toBe(p[1].labels.length * 4);
    expect(p[0].classNames.length).toBe(p[0].labels.length);
    expect(p[0].classNames.every((n) => detector.labelSpaces.rgb!.names.includes(n))).toBe(true);
  });

  it('errors name the input', async () => {
    await expect(predict(detector, [{ path: '/no/such.png', modality: 'sar' }])).rejects.toThrow(/cannot read image \/no\/such.png/);
    const sarOnly = new MultiModalDetector(microConfig({ heads: { sar: { type: 'gfl', options: { featChannels: 16, stackedConvs: 1 } } } }));
    await expect(predict(sarOnly, [{ path: '/x.png', modality: 'ir' }])).rejects.toThrow(/input 0 \(\/x.png\) is ir, but the detector has no ir head/);
    sarOnly.dispose();
  });
});
