/**
 * Loader throughput (images/s of decode + transform) at SOI-Det size (640 px images → resize
 * 800, flips, RGB jitter, normalise, pad 800) and at the demo size (mini-SOI 128 px): single
 * process (`workers: 0`) vs worker threads, step-wise transforms vs the fused pipeline pass,
 * wall clock and CPU time per image (all threads); a per-image CPU breakdown; mini-SOI
 * generation speed. Called by `bench/index.ts` (`npm run bench -w @babelrs/datasets`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from '../../../bench/lib.js';
import {
  ModalityBalancedSampler, PrefetchLoader, applyTransforms, buildPipeline, decodeImage, decodeInterleaved, fusedPipelineFor, generateMiniSoi, loadSoiDet, soiDetTrainPipeline,
  type DetectionSample, type TransformSpec,
} from '../src/index.js';

interface LoaderCase {
  workers: number;
  fusedPipeline: boolean;
  /** Wall clock, median of the runs (depends on what else the machine runs: see loadAvg). */
  imagesPerSecond: number;
  runsImagesPerSecond: number[];
  /** CPU time of the whole process (all threads: JS, workers, libvips) per image, median of the runs. */
  cpuMsPerImage: number;
  /** `cpus × 1000 / cpuMsPerImage`: the rate with every core busy on this work alone. */
  cpuBoundImagesPerSecond: number;
}

interface Run {
  imagesPerSecond: number;
  cpuMsPerImage: number;
}

async function throughput(samples: DetectionSample[], pipeline: TransformSpec[], workers: number, batches: number, fusedPipeline: boolean): Promise<Run> {
  const sampler = new ModalityBalancedSampler({ modalities: samples.map((s) => s.modality), seed: 1 });
  const loader = new PrefetchLoader({ samples, batches: sampler, pipeline, workers, seed: 1, fusedPipeline });
  // The first batches include worker start-up and JIT warm-up (per worker): time the steady state after them.
  for (let b = 0; b < Math.max(1, 2 * workers); b++) await loader.next();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let images = 0;
  for (let b = 0; b < batches; b++) images += (await loader.next()).value.items.length;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await loader.close();
  return { imagesPerSecond: images / seconds, cpuMsPerImage: (cpu.user + cpu.system) / 1000 / images };
}

async function compare(samples: DetectionSample[], pipeline: TransformSpec[], batches: number, modes: { workers: number; fused: boolean }[], runs = 3): Promise<Record<string, LoaderCase>> {
  const out: Record<string, LoaderCase> = {};
  for (const { workers, fused } of modes) {
    const rs: Run[] = [];
    for (let r = 0; r < runs; r++) rs.push(await throughput(samples, pipeline, workers, batches, fused));
    const cpuMs = median(rs.map((r) => r.cpuMsPerImage));
    const key = `${fused ? 'fused' : 'stepwise'}_${workers === 0 ? 'singleProcess' : `workers${workers}`}`;
    out[key] = {
      workers,
      fusedPipeline: fused,
      imagesPerSecond: round1(median(rs.map((r) => r.imagesPerSecond))),
      runsImagesPerSecond: rs.map((r) => round1(r.imagesPerSecond)),
      cpuMsPerImage: round2(cpuMs),
      cpuBoundImagesPerSecond: round1((os.cpus().length * 1000) / cpuMs),
    };
  }
  return out;
}

/** CPU ms of one call, median over `n` calls after 2 warm-ups (one thread: decode work in libvips is counted too). */
async function cpuMsPerCall(fn: () => unknown, n = 15): Promise<number> {
  for (let i = 0; i < 2; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    ms.push((c.user + c.system) / 1000);
  }
  return round2(median(ms));
}

/** Where one image's CPU time goes: decode (with / without the CHW float copy), then the transforms step-wise or fused. */
async function perImageBreakdown(samples: DetectionSample[], specs: TransformSpec[]): Promise<Record<string, unknown>> {
  const pipeline = buildPipeline(specs);
  const fused = fusedPipelineFor(pipeline);
  if (!fused) throw new Error('bench: the SOI-Det pipeline is expected to have a fused form');
  const out: Record<string, unknown> = {};
  for (const modality of ['rgb', 'sar'] as const) {
    const s = samples.find((x) => x.modality === modality) as DetectionSample;
    const img = await decodeImage(s.imagePath);
    const raw = await decodeInterleaved(s.imagePath);
    out[modality] = {
      source: `${img.width}×${img.height}×${img.channels} PNG`,
      decodeImageCpuMs: await cpuMsPerCall(() => decodeImage(s.imagePath)),
      decodeInterleavedCpuMs: await cpuMsPerCall(() => decodeInterleaved(s.imagePath)),
      stepwiseTransformsCpuMs: await cpuMsPerCall(() => applyTransforms(pipeline, img, s, 3)),
      fusedTransformsCpuMs: await cpuMsPerCall(() => fused.run(raw, s, 3)),
    };
  }
  return out;
}

/**
 * How slow the shared machine is right now: CPU ns per element of a trivial typed-array loop
 * (uint8 → float32 affine), median of 5. Compare it between result files before comparing rates.
 */
function calibrationNsPerValue(): number {
  const n = 1 << 20;
  const src = new Uint8Array(n).map((_, i) => i & 255);
  const dst = new Float32Array(n);
  const ns: number[] = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    for (let k = 0; k < 10; k++) for (let i = 0; i < n; i++) dst[i] = (src[i] - 127.5) * 0.0157;
    const c = process.cpuUsage(c0);
    ns.push(((c.user + c.system) * 1000) / (10 * n));
  }
  return round2(median(ns));
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
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
    const train800 = soiDetTrainPipeline(800, { normalize: true });
    const loadAvgAtStart = os.loadavg().map(round2);
    const calibrationAtStart = calibrationNsPerValue();
    const all = [0, 1, 2].flatMap((workers) => [{ workers, fused: false }, { workers, fused: true }]);
    const soiDet800 = await compare(big, train800, 10, all);
    const breakdown = await perImageBreakdown(big, train800);
    const demo128 = await compare(demo, soiDetTrainPipeline(128, { normalize: true }), 40, [0, 1, 2].map((workers) => ({ workers, fused: true })));
    const overlap = await starvation(big, train800, 400, 6);
    return {
      note: 'images/s of decode (PNG via sharp) + transforms, batches of 4 (SAR:RGB:IR 2:1:1); steady state after the first max(1, 2 × workers) batches; median of 3 runs. Wall rates depend on the machine load (loadAvg); cpuMsPerImage (all threads of the process) much less so.',
      cpus: os.cpus().length,
      loadAvgAtStart,
      calibrationNsPerValue: { atStart: calibrationAtStart, atEnd: calibrationNsPerValue(), note: 'CPU ns per element of a trivial uint8 → float32 loop: the machine’s speed at the time of this run' },
      miniSoiGeneration: { images: gen.images, seconds: round2(gen.seconds), imagesPerSecond: round1(gen.images / gen.seconds), imageSize: 128 },
      soiDet800: { source: '640×640 PNG (SAR/IR grey, RGB colour) → resize 800 + random h/v/diagonal flip + RGB jitter + normalise (SAR/IR statistics 1 channel) + pad 800×800', ...soiDet800 },
      perImage800: breakdown,
      demo128: { source: '128×128 PNG → resize 128 + random flips + RGB jitter + normalise + pad (fused path)', ...demo128 },
      stepOverlap800: { stepMs: 400, note: 'median wait for the next batch after a blocking 400 ms step, 800 px pipeline (fused)', ...overlap },
      loadAvgAtEnd: os.loadavg().map(round2),
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
