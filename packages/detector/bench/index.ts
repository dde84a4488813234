// Training-step speed of the `tiny` and `small` presets on the wasm backend, and the same
// ViT + pyramid + heads step in PyTorch CPU (2 threads, OpenBLAS), run back to back in one
// process tree; the ratio wasm / PyTorch goes to bench/results/detector.json (key `stepSpeed`).
//   nice -n 5 npx tsx --conditions=@babelrs/source bench/index.ts
// PRESETS=tiny,small STEPS=3 BATCH=4 IMAGE_SIZE=… override the defaults (tiny: 5 steps of 8 at
// 64 px, small: 2 steps of 4 at 128 px).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { generateMiniSoi } from '@babelrs/datasets';
import { detectorPreset, fineTune, MultiModalDetector, type DetectorPresetName } from '../src/index.js';
import { readBenchResults, updateBenchResults } from './results-file.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const presets = (process.env.PRESETS ?? 'tiny,small').split(',') as DetectorPresetName[];
const stepsOf = (name: string) => Number(process.env.STEPS ?? (name === 'tiny' ? 5 : 2));
// tiny: 8 images, small: 4 (SOI-Det's 2:1:1).
const batchOf = (name: string) => Number(process.env.BATCH ?? (name === 'tiny' ? 8 : 4));
const ratiosOf = (_name: string) => ({ sar: 2, rgb: 1, ir: 1 });
// small runs at 128 px: at 256 and 384 px its backward pass aborts inside the wasm backend
// ("memory access out of bounds" allocating a split/slice output), see the README.
const sizeOf = (name: string) => (process.env.IMAGE_SIZE ? Number(process.env.IMAGE_SIZE) : name === 'small' ? 128 : undefined);

await initBackend({ prefer: 'wasm' });
const root = path.join(os.tmpdir(), 'babelrs-detector-bench-mini-soi');
if (!fs.existsSync(root)) await generateMiniSoi(root, { images: { sar: 16, rgb: 16, ir: 16 }, splits: { train: 1 } });

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const rows: Record<string, unknown> = {};
for (const name of presets) {
  const size = sizeOf(name);
  const config = detectorPreset(name, size ? { imageSize: size } : {});
  const steps = stepsOf(name);
  const batch = batchOf(name);
  const detector = new MultiModalDetector(config);
  const load0 = os.loadavg();
  const ms: number[] = [];
  const cpuMs: number[] = [];
  let cpuMark = process.cpuUsage();
  // 1 warm-up step (kernel set-up, first allocations), then `steps` timed ones. CPU time is the
  // process's between two onStep calls (the step, plus decoding the next batch: a few ms).
  const r = await fineTune({
    detector,
    data: { root, split: 'train' },
    steps: steps + 1,
    batchSize: batch,
    ratios: ratiosOf(name),
    onStep: ({ step, event }) => {
      const c = process.cpuUsage(cpuMark);
      cpuMark = process.cpuUsage();
      if (step > 1) {
        ms.push(event.stepMs);
        cpuMs.push((c.user + c.system) / 1000);
      }
    },
  });
  tf.dispose(Object.values(r.state.optimizer.tensors));
  const params = detector.numParameters();
  detector.dispose();
  const wasmMs = median(ms);
  const torchOut = execFileSync('/usr/bin/python3', [path.join(here, 'torch_detector_step.py'), JSON.stringify({ config, batch, ratios: ratiosOf(name), steps, warmup: 1, threads: 2 })], {
    env: { ...process.env, OPENBLAS_CORETYPE: 'SkylakeX', OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: '2' },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const torch = JSON.parse(torchOut.trim().split('\n').at(-1)!) as { medianMs: number; medianCpuMs: number; stepMs: number[]; imagesPerSecond: number; torch: string };
  rows[name] = {
    imageSize: config.imageSize,
    batch,
    ratios: ratiosOf(name),
    params,
    wasm: { stepMs: ms.map((v) => +v.toFixed(1)), medianMs: +wasmMs.toFixed(1), cpuMs: cpuMs.map((v) => +v.toFixed(1)), medianCpuMs: +median(cpuMs).toFixed(1), imagesPerSecond: +((batch * 1000) / wasmMs).toFixed(3) },
    pytorch: torch,
    ratioWasmOverPytorch: +(wasmMs / torch.medianMs).toFixed(2),
    // CPU work per step (wasm: 1 thread; PyTorch: summed over its 2 threads): less sensitive to the load of other jobs.
    cpuRatioWasmOverPytorch: +(median(cpuMs) / torch.medianCpuMs).toFixed(2),
    loadavg: { start: load0.map((v) => +v.toFixed(2)), end: os.loadavg().map((v) => +v.toFixed(2)) },
  };
  console.log(name, JSON.stringify(rows[name]));
}
// Presets not run this time keep their earlier rows.
const earlier = (readBenchResults().stepSpeed as { presets?: Record<string, unknown> } | undefined)?.presets ?? {};
updateBenchResults('stepSpeed', {
  what: 'wall time (median) and process CPU time of one training step (forward + backward + AdamW, batch split 2:1:1 over the three heads): wasm (@babelrs/detector fineTune, median of timed steps after 1 warm-up) vs PyTorch CPU 2 threads (bench/torch_detector_step.py: same layers, dense surrogate losses, no target assignment)',
  date: new Date().toISOString(),
  note: 'machine shared with other jobs (2 cores): see loadavg; run back to back in one process tree',
  presets: { ...earlier, ...rows },
});
