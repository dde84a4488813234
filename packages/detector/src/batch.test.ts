import { describe, expect, it, beforeAll } from 'vitest';
import { buildPipeline, decodeImage, loadSoiDet, type DetectionSample } from '@babelrs/datasets';
import { collateBatch, boxesForHead, modalityGroups } from './batch.js';
import { detectorPreset } from './config.js';
import { loadItems } from './detection-data.js';
import { labelSpaces } from './label-space.js';
import { testPipeline, trainPipeline } from './pipelines.js';
import { miniSoiFixture } from './testing/mini-soi-fixture.js';

let samples: DetectionSample[];
beforeAll(async () => {
  samples = (await loadSoiDet(await miniSoiFixture(), { splits: ['train'] })).samples;
});

describe('collateBatch', () => {
  it('stacks a mixed batch grouped sar, rgb, ir with 3-channel normalised images and local targets', async () => {
    const config = detectorPreset('tiny'); // 64-px input: the 128-px mini-SOI images are halved
    const spaces = labelSpaces(config);
    // interleaved on purpose: ir, sar, rgb, sar
    const ids = [samples.findIndex((s) => s.modality === 'ir'), samples.findIndex((s) => s.modality === 'sar'), samples.findIndex((s) => s.modality === 'rgb'), samples.findLastIndex((s) => s.modality === 'sar')];
    const items = await loadItems(samples, ids, buildPipeline(testPipeline(config)), [0, 0, 0, 0]);
    const batch = collateBatch(items, 64, { spaces, boxTypes: { sar: 'hbb', rgb: 'obb', ir: 'obb' } });
    expect(batch.samples.map((s) => s.modality)).toEqual(['sar', 'sar', 'rgb', 'ir']);
    expect(batch.groups).toEqual([
      { modality: 'sar', start: 0, count: 2 },
      { modality: 'rgb', start: 2, count: 1 },
      { modality: 'ir', start: 3, count: 1 },
    ]);
    expect(batch.images.length).toBe(4 * 3 * 64 * 64);
    // SAR grey is repeated into 3 equal channels, normalised with mean 127.5, std 63.75
    const plane = 64 * 64;
    const sar0 = batch.images.subarray(0, 3 * plane);
    expect(Array.from(sar0.subarray(plane, plane + 50))).toEqual(Array.from(sar0.subarray(0, 50)));
    const decoded = await decodeImage(batch.samples[0].imagePath);
    // pixel (0,0) of a 128 → 64 bilinear half-pixel resize = mean of the top-left 2×2 block
    const d = decoded.data;
    const w = decoded.width;
    const expected = ((d[0] + d[1] + d[w] + d[w + 1]) / 4 - 127.5) / 63.75;
    expect(sar0[0]).toBeCloseTo(expected, 4);
    // boxes follow the 0.5 resize, labels are head-local
    const src = samples[ids[1]];
    expect(Array.from(batch.targets!.sar![0].boxes)).toEqual(Array.from(src.boxes, (v) => v * 0.5));
    expect(Array.from(batch.targets!.sar![0].labels)).toEqual(Array.from(src.labels)); // SAR unified ids 0..5 = local
    const ir = samples[ids[0]];
    expect(Array.from(batch.targets!.ir![0].labels)).toEqual(Array.from(ir.labels, (l) => l - 21));
    expect(batch.targets!.rgb![0].boxes.length).toBe(samples[ids[2]].labels.length * 5);
  });

  it('augmented training items are deterministic per seed and keep boxes inside the canvas', async () => {
    const config = detectorPreset('tiny');
    const p = buildPipeline(trainPipeline(config));
    const a = await loadItems(samples, [0, 1, 2], p, [11, 12, 13]);
    const b = await loadItems(samples, [0, 1, 2], p, [11, 12, 13]);
    expect(a.map((x) => Array.from(x.sample.boxes))).toEqual(b.map((x) => Array.from(x.sample.boxes)));
    expect(a[0].image.data).toEqual(b[0].image.data);
  });

  it('rejects a sample whose modality has no head, and a wrong canvas size', async () => {
    const config = detectorPreset('tiny', { heads: { sar: { type: 'gfl' } } });
    const irIdx = samples.findIndex((s) => s.modality === 'ir');
    const items = await loadItems(samples, [irIdx], buildPipeline(testPipeline(config)), [0]);
    expect(() => collateBatch(items, 64, { spaces: labelSpaces(config), boxTypes: { sar: 'hbb' } })).toThrow(/is ir, but the detector has no ir head/);
    expect(() => collateBatch(items, 32)).toThrow(/is 3×64×64 after the pipeline, expected 3×32×32/);
  });
});

describe('modalityGroups / boxesForHead', () => {
  it('refuses non-contiguous modalities', () => {
    expect(() => modalityGroups(['sar', 'rgb', 'sar'])).toThrow(/not contiguous/);
  });
  it('converts between HBB and OBB for a head of the other geometry', () => {
    const hbb: DetectionSample = { id: 'a', modality: 'sar', imagePath: '', width: 10, height: 10, boxType: 'hbb', boxes: Float64Array.from([1, 2, 5, 4]), labels: Int32Array.from([0]), difficult: new Uint8Array(1) };
    expect(Array.from(boxesForHead(hbb, 'obb'))).toEqual([3, 3, 4, 2, 0]);
    const obb: DetectionSample = { ...hbb, boxType: 'obb', boxes: Float64Array.from([3, 3, 4, 2, Math.PI / 2 - 1e-12]) };
    const back = boxesForHead({ ...obb, boxes: Float64Array.from([3, 3, 4, 2, 0]) }, 'hbb');
    expect(Array.from(back)).toEqual([1, 2, 5, 4]);
  });
});
