// One ViT training-step variant in its own process, so its peak RSS is its own (the wasm heap
// never shrinks: in one process every later variant would inherit the largest heap so far).
// Prints one JSON line: step times, losses of every step, peak RSS.
//   tsx --conditions=@babelrs/source bench/vit-step-child.ts <variant> <depth> <batch> <runs> <warmup>
import type { Tensor } from '@tensorflow/tfjs';
import { DataParallel, initBackend, setWasmKernelOverrides, tf } from '../src/index.js';
import { createAdamW, createVit, disposeVit, FAST_OPS, FAST_UNFUSED_OPS, SHIPPED_OPS, trainStep, VIT_TINY, type MatOps, type VitConfig } from './vit-tiny.js';

export type StepVariant = 'shipped' | 'matmulOnly' | 'fastUnfused' | 'fast' | 'dataParallel2';

export interface ChildStepResult {
  variant: StepVariant;
  runsMs: number[];
  losses: number[];
  peakRssMiB: number;
}

const OPS: Record<Exclude<StepVariant, 'dataParallel2'>, { ops: MatOps; overrides: boolean }> = {
  shipped: { ops: SHIPPED_OPS, overrides: false },
  matmulOnly: { ops: FAST_UNFUSED_OPS, overrides: false },
  fastUnfused: { ops: FAST_UNFUSED_OPS, overrides: true },
  fast: { ops: FAST_OPS, overrides: true },
};

export function benchData(cfg: VitConfig): { images: Tensor; labelIds: Int32Array; labels: Tensor } {
  const images = tf.randomNormal([cfg.batch, cfg.imageSize, cfg.imageSize, cfg.channels], 0, 1, 'float32', 7);
  const labelIds = Int32Array.from({ length: cfg.batch }, (_, i) => (i * 37) % cfg.classes);
  return { images, labelIds, labels: tf.oneHot(tf.tensor1d(labelIds, 'int32'), cfg.classes) };
}

async function run(variant: StepVariant, cfg: VitConfig, runs: number, warmup: number): Promise<ChildStepResult> {
  await initBackend({ prefer: 'wasm' });
  const { images, labelIds, labels } = benchData(cfg);
  const losses: number[] = [];
  const runsMs: number[] = [];
  if (variant === 'dataParallel2') {
    const dp = await DataParallel.create({ workers: 2, replicaModule: new URL('./vit-replica.ts', import.meta.url), options: { cfg, seed: 1 }, checkEvery: 0 });
    const batch = { images: { data: images.dataSync() as Float32Array, shape: images.shape }, labels: { data: labelIds, shape: [cfg.batch] } };
    for (let i = 0; i < warmup + runs; i++) {
      const t0 = performance.now();
      losses.push((await dp.step(batch)).loss);
      if (i >= warmup) runsMs.push(performance.now() - t0);
    }
    await dp.checkReplicas();
    await dp.close();
  } else {
    setWasmKernelOverrides(OPS[variant].overrides);
    const p = createVit(cfg, 1);
    const opt = createAdamW(p, OPS[variant].ops.optimizer);
    for (let i = 0; i < warmup + runs; i++) {
      const t0 = performance.now();
      losses.push(trainStep(p, opt, images, labels, cfg, OPS[variant].ops));
      if (i >= warmup) runsMs.push(performance.now() - t0);
    }
    disposeVit(p, opt);
  }
  // maxRSS (KiB) covers the whole process, worker threads included.
  return { variant, runsMs, losses, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

const [variant, depth, batch, runs, warmup] = process.argv.slice(2);
if (variant) {
  const cfg = { ...VIT_TINY, depth: Number(depth), batch: Number(batch) };
  console.log(JSON.stringify(await run(variant as StepVariant, cfg, Number(runs), Number(warmup))));
}
