import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { polyToObb } from '@babelrs/boxes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, decodeInterleaved, encodeImage, writeImage, type InterleavedImage } from '../image/index.js';
import type { DetectionSample, Modality } from '../sample.js';
import { LoaderError, loadTransformedItem } from '../sampling/load-item.js';
import { PrefetchLoader } from '../sampling/prefetch-loader.js';
import { FIXTURES, SAMPLES } from '../testing/test-support.js';
import { compileFusedPipeline, fusedPipelineFor } from './fused-pipeline.js';
import { buildPipeline, buildTransform, soiDetTestPipeline, soiDetTrainPipeline, type TransformSpec } from './transform-spec.js';
import { applyTransforms, boxesToOriginal, composeTransforms, type TransformItem } from './transform.js';

/** Real files of every decoder path: PNG 8-bit RGB, JPEG (3-channel SAR, grey IR), 16-bit PNG, grey+alpha, RGBA, TIFF i16 / f32. */
const FILES = [
  path.join(SAMPLES, 'dota/images/P1888.png'),
  path.join(SAMPLES, 'sar/ssdd/JPEGImages/000741.jpg'),
  path.join(SAMPLES, 'ir/hit-uav/images/1_90_40_0_04880.jpg'),
  path.join(FIXTURES, 'tiff/u16.png'),
  path.join(FIXTURES, 'tiff/la8.png'),
  path.join(FIXTURES, 'tiff/rgba8.png'),
  path.join(FIXTURES, 'tiff/i16_le.tif'),
  path.join(FIXTURES, 'tiff/f32_rgb_le.tif'),
];

/** Pipelines of the fused shape, small sizes (the 800 px one runs on two files only, below). */
const PIPELINES: Record<string, TransformSpec[]> = {
  train: soiDetTrainPipeline(160, { normalize: true }),
  trainRaw: soiDetTrainPipeline(150),
  test: soiDetTestPipeline(128, { normalize: { outChannels: 3 } }),
  // resizePad's own padding (value 7) is flipped / turned, jittered and normalised with the image.
  paddedTurns: [
    { type: 'resizePad', maxSide: 90, padValue: 7 },
    { type: 'randomRot90' },
    { type: 'randomFlip', directions: ['vertical', 'diagonal'] },
    { type: 'photometricJitter', brightness: 0.6, contrast: 0.5 },
    { type: 'normalize' },
    { type: 'pad', width: 100, height: 110, value: -1 },
  ],
  downscale: [{ type: 'resizePad', maxSide: 37, padTo: null }, { type: 'rot90', k: 3 }, { type: 'photometricJitter', maxValue: 200 }],
  noResize: [{ type: 'rot90', k: 1 }, { type: 'flip', direction: 'horizontal' }, { type: 'normalize', outChannels: 3 }],
  none: [],
};

interface Source {
  file: string;
  stepwise: { data: Float32Array; width: number; height: number; channels: number };
  raw: InterleavedImage;
}

const sources: Source[] = [];
beforeAll(async () => {
  for (const file of FILES) {
    const img = await decodeImage(file);
    sources.push({ file, stepwise: { data: img.data, width: img.width, height: img.height, channels: img.channels }, raw: await decodeInterleaved(file) });
  }
});

/** A sample with an HBB or OBB per object (inside the image, so every step moves it). */
function sampleFor(src: Source, modality: Modality, boxType: 'hbb' | 'obb'): DetectionSample {
  const { width: w, height: h } = src.stepwise;
  const boxes = boxType === 'hbb' ? [w * 0.1, h * 0.2, w * 0.4, h * 0.5, 0, 0, w, h] : [w * 0.3, h * 0.4, w * 0.2, h * 0.1, 0.5, w * 0.7, h * 0.6, 3, 2, -1.2];
  return { id: path.basename(src.file), modality, imagePath: src.file, width: w, height: h, boxType, boxes: Float64Array.from(boxes), labels: new Int32Array(2), difficult: new Uint8Array(2) };
}

/** Every float32 bit by bit (NaN- and ±0-exact), the boxes and the geometry. */
function expectIdentical(fused: TransformItem | null, stepwise: TransformItem): void {
  expect(fused).not.toBeNull();
  const f = fused as TransformItem;
  expect([f.image.width, f.image.height, f.image.channels]).toEqual([stepwise.image.width, stepwise.image.height, stepwise.image.channels]);
  expect(f.image.data.length).toBe(stepwise.image.data.length);
  const a = new Uint32Array(f.image.data.buffer, f.image.data.byteOffset, f.image.data.length);
  const b = new Uint32Array(stepwise.image.data.buffer, stepwise.image.data.byteOffset, stepwise.image.data.length);
  let firstDiff = -1;
  for (let i = 0; i < a.length && firstDiff < 0; i++) if (a[i] !== b[i]) firstDiff = i;
  expect(firstDiff).toBe(-1);
  expect(f.sample).toEqual(stepwise.sample);
  expect(f.geometry).toEqual(stepwise.geometry);
}

describe('fused pipeline = step-wise pipeline, bit for bit, on real images', () => {
  it('every file × pipeline × modality × box type × seed', () => {
    let runs = 0;
    const applied = new Set<string>();
    for (const [name, specs] of Object.entries(PIPELINES)) {
      const pipeline = buildPipeline(specs);
      const fused = fusedPipelineFor(pipeline);
      expect(fused).not.toBeNull();
      // Full-size copies of the three large real images would only slow the suite: small files there.
      const fullSize = name === 'noResize' || name === 'none';
      for (const src of fullSize ? sources.slice(3) : sources) {
        for (const modality of ['rgb', 'sar'] as const) {
          for (let seed = 0; seed < 4; seed++) {
            const sample = sampleFor(src, modality, seed % 2 ? 'obb' : 'hbb');
            const stepwise = applyTransforms(pipeline, src.stepwise, sample, seed);
            expectIdentical(fused?.run(src.raw, sample, seed) ?? null, stepwise);
            // A recycled canvas full of stale values (NaN) must be overwritten everywhere: padding included.
            expectIdentical(fused?.run(src.raw, sample, seed, (n) => new Float32Array(n).fill(Number.NaN)) ?? null, stepwise);
            applied.add(stepwise.geometry.applied.join(','));
            runs++;
          }
        }
      }
    }
    expect(runs).toBe((Object.keys(PIPELINES).length * FILES.length - 2 * 3) * 2 * 4);
    // The seeds really exercised flips, turns and jitter (not the identity every time).
    expect([...applied].some((a) => a.includes('rot90:'))).toBe(true);
    expect([...applied].some((a) => a.includes('flip:vertical') || a.includes('flip:diagonal'))).toBe(true);
    expect([...applied].some((a) => a.includes('photometricJitter'))).toBe(true);
  });

  it('the SOI-Det 800 px training pipeline on DOTA P1888 (RGB) and HIT-UAV (grey IR), with its real DOTA boxes', () => {
    const pipeline = buildPipeline(soiDetTrainPipeline(800, { normalize: true }));
    const fused = fusedPipelineFor(pipeline);
    const dota = sources[0];
    const polys = fs
      .readFileSync(path.join(SAMPLES, 'dota/labelTxt/P1888.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((t) => t.length >= 9 && !Number.isNaN(Number(t[0])))
      .flatMap((t) => t.slice(0, 8).map(Number));
    const obbs = polyToObb(polys);
    const n = obbs.length / 5;
    for (const src of [dota, sources[2]]) {
      for (let seed = 0; seed < 3; seed++) {
        const base = sampleFor(src, src === dota ? 'rgb' : 'ir', 'obb');
        const sample = src === dota ? { ...base, boxes: obbs, labels: new Int32Array(n), difficult: new Uint8Array(n) } : base;
        expectIdentical(fused?.run(src.raw, sample, seed) ?? null, applyTransforms(pipeline, src.stepwise, sample, seed));
      }
    }
  });

  it('boxes stay on their pixels: a bright block under flips, turns, resize and padding', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fused-box-'));
    try {
      const [w, h] = [60, 40];
      const data = new Float32Array(w * h).fill(10);
      for (let y = 5; y < 15; y++) for (let x = 30; x < 50; x++) data[y * w + x] = 250; // block = HBB [30, 5, 50, 15]
      const file = path.join(dir, 'block.png');
      await writeImage(file, { data, width: w, height: h, channels: 1 });
      const raw = await decodeInterleaved(file);
      const sample: DetectionSample = { id: 'b', modality: 'sar', imagePath: file, width: w, height: h, boxType: 'hbb', boxes: Float64Array.of(30, 5, 50, 15), labels: Int32Array.of(0), difficult: Uint8Array.of(0) };
      const cases: TransformSpec[][] = [
        [{ type: 'flip', direction: 'horizontal' }],
        [{ type: 'flip', direction: 'diagonal' }, { type: 'pad', width: 64, height: 64 }],
        [{ type: 'rot90', k: 1 }],
        [{ type: 'rot90', k: 3 }, { type: 'flip', direction: 'vertical' }],
        [{ type: 'resizePad', maxSide: 120 }, { type: 'rot90', k: 1 }],
      ];
      for (const specs of cases) {
        const item = compileFusedPipeline(specs)?.run(raw, sample, 0) as TransformItem;
        const { width: ow, data: out } = item.image;
        // Bounding box of the bright pixels (above the midpoint of 10 and 250) in pixel-edge coordinates.
        let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
        for (let i = 0; i < out.length; i++) {
          if (out[i] <= 130) continue;
          const x = i % ow;
          const y = Math.floor(i / ow);
          [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
        }
        expect(Array.from(item.sample.boxes)).toEqual([x0, y0, x1, y1]);
        expect(Array.from(boxesToOriginal(item.sample.boxes, 'hbb', item.geometry))).toEqual([30, 5, 50, 15].map((v) => expect.closeTo(v, 9)));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the fused path’s output canvas', () => {
  it('writes into the canvas the allocator gives, and refuses one of the wrong size', () => {
    const fused = compileFusedPipeline(soiDetTrainPipeline(64, { normalize: true })) as NonNullable<ReturnType<typeof compileFusedPipeline>>;
    const src = sources[1];
    const sample = sampleFor(src, 'sar', 'hbb');
    const canvas = new Float32Array(src.raw.channels * 64 * 64).fill(Number.NaN);
    const item = fused.run(src.raw, sample, 2, () => canvas) as TransformItem;
    expect(item.image.data).toBe(canvas);
    expect(canvas.every((v) => Number.isFinite(v))).toBe(true);
    expect(() => fused.run(src.raw, sample, 2, (n) => new Float32Array(n - 1))).toThrow(/canvas allocator gave \d+ floats, \d+ needed/);
  });

  it('float samples −0, ±∞ and NaN pass a size-kept pipeline with their bits intact (flips, turns, pad)', async () => {
    const [w, h] = [5, 4];
    const values = [-0, 0, Infinity, -Infinity, Number.NaN, 1.5, -2.25, 3e38];
    const data = Float32Array.from({ length: 2 * w * h }, (_, i) => values[i % values.length]);
    const bytes = await encodeImage({ data, width: w, height: h, channels: 2, sampleFormat: 'float', bitDepth: 32 }, 'tif');
    const raw = await decodeInterleaved(bytes);
    const img = await decodeImage(bytes);
    const sample: DetectionSample = { id: 'f', modality: 'sar', imagePath: 'f.tif', width: w, height: h, boxType: 'hbb', boxes: Float64Array.of(1, 1, 3, 2), labels: Int32Array.of(0), difficult: Uint8Array.of(0) };
    for (const specs of [
      [{ type: 'flip', direction: 'horizontal' }, { type: 'pad', width: 7, height: 6, value: 2 }],
      [{ type: 'resizePad', maxSide: 5 }, { type: 'flip', direction: 'diagonal' }],
      [{ type: 'rot90', k: 1 }, { type: 'flip', direction: 'vertical' }],
    ] as TransformSpec[][]) {
      const pipeline = buildPipeline(specs);
      const stepwise = applyTransforms(pipeline, { data: img.data, width: w, height: h, channels: 2 }, sample, 0);
      expect(Array.from(stepwise.image.data).some((v) => Object.is(v, -0))).toBe(true);
      expectIdentical(fusedPipelineFor(pipeline)?.run(raw, sample, 0, (n) => new Float32Array(n).fill(7)) ?? null, stepwise);
    }
  });

  it('mirrored rows (horizontal and diagonal flips, through the mirrored taps) match the step-wise flips at 800 px', () => {
    const src = sources[0]; // DOTA P1888, RGB
    const sample = sampleFor(src, 'rgb', 'obb');
    for (const direction of ['horizontal', 'diagonal'] as const) {
      for (const specs of [
        [{ type: 'resizePad', maxSide: 800, padTo: null }, { type: 'flip', direction }, { type: 'photometricJitter' }, { type: 'normalize' }, { type: 'pad', width: 800, height: 800 }],
        [{ type: 'resizePad', maxSide: 800, padTo: null }, { type: 'flip', direction }, { type: 'normalize', outChannels: 3 }],
      ] as TransformSpec[][]) {
        const pipeline = buildPipeline(specs);
        expectIdentical(fusedPipelineFor(pipeline)?.run(src.raw, sample, 5) ?? null, applyTransforms(pipeline, src.stepwise, sample, 5));
      }
    }
  });
});

describe('when the fused path steps aside', () => {
  it('has no fused form for other step orders or hand-composed pipelines', () => {
    expect(compileFusedPipeline([{ type: 'photometricJitter' }, { type: 'flip', direction: 'horizontal' }])).toBeNull();
    expect(compileFusedPipeline([{ type: 'pad', width: 9, height: 9 }, { type: 'normalize' }])).toBeNull();
    expect(fusedPipelineFor(composeTransforms([buildTransform({ type: 'flip', direction: 'vertical' })]))).toBeNull();
    expect(fusedPipelineFor(buildPipeline([{ type: 'resizePad' }, { type: 'randomRot90' }]))).not.toBeNull();
  });

  it('RGB averaged to 1 channel goes step-wise (null here), and the loader still gives the step-wise item', async () => {
    const specs: TransformSpec[] = [{ type: 'resizePad', maxSide: 50 }, { type: 'normalize', outChannels: 1, config: { rgb: { mean: [100], std: [50] } } }];
    const src = sources[0];
    const sample = sampleFor(src, 'rgb', 'hbb');
    expect(compileFusedPipeline(specs)?.run(src.raw, sample, 1)).toBeNull();
    const pipeline = buildPipeline(specs);
    const viaLoader = await loadTransformedItem(sample, pipeline, 1);
    expectIdentical(viaLoader, applyTransforms(pipeline, src.stepwise, sample, 1));
    expect(viaLoader.image.channels).toBe(1);
  });

  it('errors are the step-wise ones: size mismatch, canvas too small, bad statistics', async () => {
    const src = sources[2];
    const good = sampleFor(src, 'ir', 'hbb');
    const run = (specs: TransformSpec[], s: DetectionSample) => loadTransformedItem(s, buildPipeline(specs), 0).then(
      () => null,
      (e: unknown) => e as LoaderError,
    );
    const mismatch = await run([{ type: 'flip', direction: 'vertical' }], { ...good, width: 10 });
    expect(mismatch).toBeInstanceOf(LoaderError);
    expect(mismatch?.reason).toMatch(/annotation says 10×512 but the image is 640×512/);
    expect((await run([{ type: 'pad', width: 100, height: 100 }], good))?.reason).toMatch(/pad: canvas 100×100 is smaller than the image 640×512/);
    expect((await run([{ type: 'resizePad', maxSide: 64, padTo: { width: 10, height: 10 } }], good))?.reason).toMatch(/resizePad: canvas 10×10 is smaller/);
    expect((await run([{ type: 'normalize', config: { ir: { mean: [1], std: [0] } } }], good))?.reason).toMatch(/std\[0\] must be > 0/);
  });
});

describe('PrefetchLoader with the fused pass', () => {
  it('gives the same batches as `fusedPipeline: false`, in-process and in worker threads', async () => {
    const samples = sources.slice(0, 3).map((s, i) => sampleFor(s, (['rgb', 'sar', 'ir'] as const)[i], i % 2 ? 'obb' : 'hbb'));
    const pipeline = soiDetTrainPipeline(96, { normalize: true });
    const collect = async (opts: { workers: number; fusedPipeline: boolean }) => {
      const loader = new PrefetchLoader({ samples, batches: [[0, 1], [2, 0], [1, 2]], pipeline, seed: 4, ...opts });
      const out: TransformItem[] = [];
      for await (const b of loader) out.push(...b.items);
      return out;
    };
    const reference = await collect({ workers: 0, fusedPipeline: false });
    expect(reference.length).toBe(6);
    for (const opts of [{ workers: 0, fusedPipeline: true }, { workers: 2, fusedPipeline: true }]) {
      const items = await collect(opts);
      expect(items.length).toBe(reference.length);
      items.forEach((it, k) => expectIdentical(it, reference[k]));
    }
  });
});
