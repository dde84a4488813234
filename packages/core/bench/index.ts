// @babelrs/core benchmark → bench/results/core.json (via the shared bench helpers).
//  1. matmul GFLOP/s: wasm (plain, transposed-B, batched) and cpu (small sizes: pure JS is slow)
//  2. tf.unstack / tf.split with the shipped wasm Slice vs core's copy-free Slice
//  3. ViT-Tiny-like training step (forward + backward + AdamW):
//     wasm as shipped (tf.matMul, shipped Slice) vs wasm with core's fast path; cpu on a reduced
//     model; the same model in PyTorch (optional) run back to back as the anchor, as ratios.
// BENCH_QUICK=1 shrinks everything for a smoke run.
import os from 'node:os';
import type { Tensor } from '@tensorflow/tfjs';
import { initBackend, setWasmKernelOverrides, tf } from '../src/index.js';
import { median, timeRuns, writeBenchResult } from '../../../bench/lib.js';
import { benchMatMul, round, type MatMulResult } from './matmul-bench.js';
import { benchSlices } from './slice-bench.js';
import { benchConvGrads } from './conv-bench.js';
import { runTorch } from './torch-anchor.js';
import { createAdamW, createVit, disposeVit, FAST_OPS, SHIPPED_OPS, trainStep, VIT_TINY, type MatOps, type VitConfig } from './vit-tiny.js';

const QUICK = process.env.BENCH_QUICK === '1';

interface StepResult {
  backend: string;
  ops: string;
  kernelOverrides: boolean;
  depth: number;
  batch: number;
  runsMs: number[];
  medianMs: number;
  /** loss of every step run, warm-up included: step 1 must agree across variants (same init and data) */
  losses: number[];
}

async function benchVitStep(backend: 'wasm' | 'cpu', cfg: VitConfig, ops: MatOps, kernelOverrides: boolean, runs: number, warmup: number): Promise<StepResult> {
  await initBackend({ prefer: backend });
  if (backend === 'wasm') setWasmKernelOverrides(kernelOverrides);
  const params = createVit(cfg, 1);
  const opt = createAdamW(params);
  const images: Tensor = tf.randomNormal([cfg.batch, cfg.imageSize, cfg.imageSize, cfg.channels], 0, 1, 'float32', 7);
  const labels: Tensor = tf.oneHot(tf.tensor1d(Array.from({ length: cfg.batch }, (_, i) => (i * 37) % cfg.classes), 'int32'), cfg.classes);
  const losses: number[] = [];
  const before = tf.memory().numTensors;
  const runsMs = await timeRuns(() => losses.push(trainStep(params, opt, images, labels, cfg, ops)), { runs, warmup });
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`bench: ViT step leaked ${leaked} tensors (${backend}, ${ops.name})`);
  disposeVit(params, opt);
  tf.dispose([images, labels]);
  if (backend === 'wasm') setWasmKernelOverrides(true);
  const r = { backend, ops: ops.name, kernelOverrides, depth: cfg.depth, batch: cfg.batch, runsMs: runsMs.map((t) => round(t, 1)), medianMs: round(median(runsMs), 1), losses: losses.map((l) => round(l, 5)) };
  console.log(`vit step ${backend} ${ops.name} overrides=${kernelOverrides} depth ${cfg.depth} batch ${cfg.batch}: median ${r.medianMs} ms`);
  return r;
}

async function matmulSection(): Promise<Record<string, MatMulResult[]>> {
  await initBackend({ prefer: 'wasm' });
  const wasm: MatMulResult[] = [];
  for (const n of QUICK ? [128, 256] : [256, 512, 1024]) wasm.push(await benchMatMul(n, 'plain', QUICK ? 2 : 5));
  const wasmSlowPaths: MatMulResult[] = [];
  for (const v of ['transposeB', 'batched4'] as const) wasmSlowPaths.push(await benchMatMul(QUICK ? 128 : 512, v, 3));
  await initBackend({ prefer: 'cpu' });
  const cpu: MatMulResult[] = [];
  for (const n of QUICK ? [64, 128] : [128, 256, 512]) cpu.push(await benchMatMul(n, 'plain', 3));
  for (const r of [...wasm, ...wasmSlowPaths].map((x) => ({ ...x, b: 'wasm' })).concat(cpu.map((x) => ({ ...x, b: 'cpu' })))) {
    console.log(`matmul ${r.b} ${r.variant} n=${r.n}: ${r.gflops} GFLOP/s`);
  }
  return { wasm, wasmSlowPaths, cpu };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const loadStart = os.loadavg();
  const full: VitConfig = QUICK ? { ...VIT_TINY, depth: 2, batch: 2 } : VIT_TINY;
  const reduced: VitConfig = { ...VIT_TINY, depth: 2, batch: 2 };

  const matmul = await matmulSection();
  await initBackend({ prefer: 'wasm' });
  const slices = await benchSlices(QUICK ? 2 : 5);
  for (const s of slices) console.log(`${s.op} [${s.shape}] → ${s.pieces}: shipped ${s.shippedMs} ms, fast ${s.fastMs} ms (${s.speedup}×)`);

  const convGrads = await benchConvGrads(QUICK ? 1 : 3);
  for (const c of convGrads) console.log(`conv forward + filter grad ${c.name}: wasm ${c.wasmMs} ms (${c.wasmGflops} GFLOP/s)`);

  const wasmFast = await benchVitStep('wasm', full, FAST_OPS, true, QUICK ? 2 : 5, 1);
  // ~35 s a step as shipped: no warm-up run; the median of 3 absorbs a slow first step.
  const wasmShipped = await benchVitStep('wasm', full, SHIPPED_OPS, false, QUICK ? 1 : 3, 0);
  // Attribution: the matmul fix alone, with the kernels tfjs-backend-wasm ships.
  const wasmFastMatMulOnly = await benchVitStep('wasm', full, FAST_OPS, false, QUICK ? 1 : 3, 1);
  const wasmFastReduced = await benchVitStep('wasm', reduced, FAST_OPS, true, 3, 1);
  const cpuReduced = await benchVitStep('cpu', reduced, SHIPPED_OPS, false, QUICK ? 1 : 3, 0);

  const torchFull = runTorch(['--depth', String(full.depth), '--batch', String(full.batch), '--runs', '5', '--warmup', '2']);
  const torchReduced = runTorch(['--depth', String(reduced.depth), '--batch', String(reduced.batch), '--runs', '5', '--warmup', '2', '--matmul', '']);
  const torchFullMs = torchFull.available ? torchFull.result.vitStep.medianMs : null;
  const torchReducedMs = torchReduced.available ? torchReduced.result.vitStep.medianMs : null;
  const ratio = (a: number, b: number | null) => (b === null ? null : round(a / b, 2));

  writeBenchResult('core', {
    package: '@babelrs/core',
    quick: QUICK,
    loadAverage: { start: loadStart.map((x) => round(x, 2)), end: os.loadavg().map((x) => round(x, 2)) },
    notes: [
      'wasm is single-threaded in Node (SIMD build); cpu is tfjs pure-JS; torch anchor runs with 2 threads and OpenBLAS (DESIGN.md §3).',
      `cpu ViT step uses a reduced model (depth ${reduced.depth}, batch ${reduced.batch}) because the pure-JS backend is ~20× slower than wasm; wasm and torch are also measured at that size for the ratio.`,
      'wasmShipped = tf.matMul (transposed/batched products, tfjs gradients) with the kernels tfjs-backend-wasm ships; wasmFast = @babelrs/core matMul/linear (plain 2-D products forward and backward) with core\'s wasm overrides (copy-free Slice/Unpack/SplitV/StridedSlice, run-copy Transpose for rank ≥ 5, Identity by reference).',
      'The shipped wasm and cpu steps run without a warm-up step (each takes tens of seconds); their medians are over 3 runs.',
      'This machine is shared (see loadAverage): absolute times are noisy; compare ratios from the same run.',
    ],
    matmulGflops: matmul,
    sliceOverride: slices,
    conv2dFilterGrad: convGrads,
    vitStep: {
      config: full,
      wasmShipped,
      wasmFast,
      wasmFastMatMulOnly,
      reduced: { config: reduced, wasmFast: wasmFastReduced, cpu: cpuReduced, torchMedianMs: torchReducedMs },
      torch: torchFull.available ? torchFull.result : { skipped: true, reason: torchFull.reason },
      ratios: {
        wasmShippedOverWasmFast: ratio(wasmShipped.medianMs, wasmFast.medianMs),
        wasmShippedOverMatMulFixOnly: ratio(wasmShipped.medianMs, wasmFastMatMulOnly.medianMs),
        wasmShippedOverTorch: ratio(wasmShipped.medianMs, torchFullMs),
        wasmFastOverTorch: ratio(wasmFast.medianMs, torchFullMs),
        reducedCpuOverWasmFast: ratio(cpuReduced.medianMs, wasmFastReduced.medianMs),
        reducedCpuOverTorch: ratio(cpuReduced.medianMs, torchReducedMs),
        reducedWasmFastOverTorch: ratio(wasmFastReduced.medianMs, torchReducedMs),
      },
    },
    totalSeconds: round((performance.now() - t0) / 1000, 1),
  });
}

await main();
