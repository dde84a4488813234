/**
 * Loader throughput (images/s of decode + transform) at SOI-Det size (images ~640–800 px →
 * resize/pad 800, flips, RGB jitter) and at the demo size (mini-SOI 128 px), single process
 * (`workers: 0`) vs the prefetching loader with worker threads; plus mini-SOI generation speed.
 * Called by `bench/index.ts` (`npm run bench -w @babelrs/datasets`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from '../../../bench/lib.js';
import { ModalityBalancedSampler, PrefetchLoader, generateMiniSoi, loadSoiDet, soiDetTrainPipeline, type DetectionSample, type TransformSpec } from '../src/index.js';

interface LoaderCase {
  workers: number;
  imagesPerSecond: number;
  runsImagesPerSecond: number[];
}

async function throughput(samples: DetectionSample[], pipeline: TransformSpec[], workers: number, batches: number): Promise<number> {
  const sampler = new ModalityBalancedSampler({ modalities: samples.map((s) => s.modality), seed: 1 });
  const loader = new PrefetchLoader({ samples, batches: sampler, pipeline, workers, seed: 1 });
  // First batch includes worker start-up; time the steady state after it.
  await loader.next();
  const t0 = performance.now();
  let images = 0;
  for (let b = 0; b < batches; b++) images += (await loader.next()).value.items.length;
  const seconds = (performance.now() - t0) / 1000;
  await loader.close();
  return images / seconds;
}

async function compare(samples: DetectionSample[], pipeline: TransformSpec[], batches: number): Promise<Record<string, LoaderCase>> {
  const out: Record<string, LoaderCase> = {};
  for (const workers of [0, 1, 2]) {
    const runs: number[] = [];
    for (let r = 0; r < 3; r++) runs.push(await throughput(samples, pipeline, workers, batches));
    out[workers === 0 ? 'singleProcess' : `workers${workers}`] = { workers, imagesPerSecond: Math.round(median(runs) * 10) / 10, runsImagesPerSecond: runs.map((v) => Math.round(v * 10) / 10) };
  }
  return out;
}

/** Blocks the JS thread like a synchronous training step (tfjs wasm/cpu kernels do). */
function busyStep(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/**
 * "Does data starve the step?": the consumer runs a blocking `stepMs` step per batch; we
 * measure how long each `next()` waits for data. In-process loading can only decode during
 * the wait; worker threads keep loading during the step.
 */
async function starvation(samples: DetectionSample[], pipeline: TransformSpec[], stepMs: number, batches: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const workers of [0, 2]) {
    const sampler = new ModalityBalancedSampler({ modalities: samples.map((s) => s.modality), seed: 2 });
    const loader = new PrefetchLoader({ samples, batches: sampler, pipeline, workers, seed: 2 });
    await loader.next();
    const waits: number[] = [];
    for (let b = 0; b < batches; b++) {
      busyStep(stepMs);
      const t0 = performance.now();
      await loader.next();
      waits.push(performance.now() - t0);
    }
    await loader.close();
    out[workers === 0 ? 'singleProcessWaitMsPerBatch' : 'workers2WaitMsPerBatch'] = Math.round(median(waits) * 10) / 10;
  }
  return out;
}

export async function runLoaderBench(): Promise<Record<string, unknown>> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-loader-bench-'));
  try {
    const gen = await generateMiniSoi(path.join(tmp, 'demo'), { seed: 0, images: { sar: 200, rgb: 100, ir: 100 } });
    const large = await generateMiniSoi(path.join(tmp, 'large'), { seed: 0, imageSize: 640, images: { sar: 8, rgb: 4, ir: 4 }, splits: { train: 1 } });
    const demo = (await loadSoiDet(gen.root, { splits: ['train'] })).samples;
    const big = (await loadSoiDet(large.root)).samples;
    return {
      note: 'images/s of decode (PNG via sharp) + transforms, batches of 4 (SAR:RGB:IR 2:1:1); steady state after the first batch; median of 3 runs',
      cpus: os.cpus().length,
      miniSoiGeneration: { images: gen.images, seconds: Math.round(gen.seconds * 100) / 100, imagesPerSecond: Math.round((gen.images / gen.seconds) * 10) / 10, imageSize: 128 },
      soiDet800: { source: '640×640 PNG → resize 800 + random flips + RGB jitter + pad 800', ...(await compare(big, soiDetTrainPipeline(800), 6)) },
      demo128: { source: '128×128 PNG → resize 128 + random flips + RGB jitter + pad', ...(await compare(demo, soiDetTrainPipeline(128), 40)) },
      stepOverlap800: { stepMs: 400, note: 'median wait for the next batch after a blocking 400 ms step, 800 px pipeline', ...(await starvation(big, soiDetTrainPipeline(800), 400, 6)) },
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
