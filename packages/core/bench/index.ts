// @babelrs/core benchmark → bench/results/core.json (via the shared bench helpers).
//  1. matmul GFLOP/s: wasm plain 2-D, tf.matMul's slow paths (transposed / batched), cpu, and
//     core's matMul for every transpose-flag combination, 2-D and batched, forward and backward
//  2. tf.unstack / tf.split with the shipped wasm Slice vs core's copy-free Slice; conv grads
//  3. fused ops (hand-written gradients) against their unfused compositions
//  4. a per-kernel profile of one ViT-Tiny training step on wasm (forward / backward / optimizer)
//  5. ViT-Tiny training step variants, each in its own process (peak RSS its own), the PyTorch
//     anchor, and a paired run alternating wasm / data-parallel / torch steps one by one
// BENCH_QUICK=1 shrinks everything for a smoke run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataParallel, initBackend, tf, threadCpuMs } from '../src/index.js';
import { median, timeRuns, writeBenchResult } from '../../../bench/lib.js';
import { benchMatMul, round, type MatMulResult } from './matmul-bench.js';
import { benchCoreMatMul } from './core-matmul-bench.js';
import { benchSlices } from './slice-bench.js';
import { benchConvGrads } from './conv-bench.js';
import { benchFused } from './fused-bench.js';
import { profileStep } from './profile-step.js';
import { cpuAB } from './cpu-ab.js';
import { runTorch, TorchStepServer } from './torch-anchor.js';
import { benchData, type ChildStepResult, type StepVariant } from './vit-step-child.js';
import { createAdamW, createVit, disposeVit, FAST_OPS, SHIPPED_OPS, trainStep, VIT_TINY, type MatOps, type VitConfig } from './vit-tiny.js';

const QUICK = process.env.BENCH_QUICK === '1';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const load = () => os.loadavg().map((x) => round(x, 2));

async function matmulSection(): Promise<Record<string, unknown>> {
  await initBackend({ prefer: 'wasm' });
  const wasm: MatMulResult[] = [];
  for (const n of QUICK ? [128, 256] : [256, 512, 1024]) wasm.push(await benchMatMul(n, 'plain', QUICK ? 2 : 5));
  const wasmSlowPaths: MatMulResult[] = [];
  for (const v of ['transposeB', 'batched4'] as const) wasmSlowPaths.push(await benchMatMul(QUICK ? 128 : 512, v, 3));
  const coreMatMul = await benchCoreMatMul(QUICK ? 128 : 512, [1, 4], QUICK ? 3 : 7);
  for (const r of coreMatMul) {
    console.log(`core matMul B=${r.batch} n=${r.n} tA=${r.transposeA} tB=${r.transposeB}: forward ${r.forward.gflops} (best ${r.forward.bestGflops}), forward+backward ${r.forwardBackward.gflops} (best ${r.forwardBackward.bestGflops}) GFLOP/s`);
  }
  await initBackend({ prefer: 'cpu' });
  const cpu: MatMulResult[] = [];
  for (const n of QUICK ? [64, 128] : [128, 256]) cpu.push(await benchMatMul(n, 'plain', 3));
  for (const r of [...wasm, ...wasmSlowPaths].map((x) => ({ ...x, b: 'wasm' })).concat(cpu.map((x) => ({ ...x, b: 'cpu' })))) {
    console.log(`matmul ${r.b} ${r.variant} n=${r.n}: ${r.gflops} GFLOP/s`);
  }
  return { wasm, wasmSlowPaths, coreMatMul, cpu };
}

/** One step variant in a fresh process (see vit-step-child.ts). */
function childStep(variant: StepVariant, cfg: VitConfig, runs: number, warmup: number): ChildStepResult & { medianMs: number } {
  const r = spawnSync(process.execPath, [...process.execArgv, path.join(HERE, 'vit-step-child.ts'), variant, String(cfg.depth), String(cfg.batch), String(runs), String(warmup)], {
    encoding: 'utf8',
    timeout: 1_800_000,
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`bench: step variant ${variant} failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-5).join(' | ')}`);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ChildStepResult;
  const res = { ...out, runsMs: out.runsMs.map((t) => round(t, 1)), losses: out.losses.map((l) => round(l, 5)), peakRssMiB: round(out.peakRssMiB, 1), medianMs: round(median(out.runsMs), 1) };
  console.log(`vit step ${variant} depth ${cfg.depth} batch ${cfg.batch}: median ${res.medianMs} ms, peak RSS ${res.peakRssMiB} MiB (load ${load()[0]})`);
  return res;
}

async function reducedStep(backend: 'wasm' | 'cpu', cfg: VitConfig, ops: MatOps, runs: number): Promise<{ backend: string; medianMs: number; losses: number[] }> {
  await initBackend({ prefer: backend });
  const p = createVit(cfg, 1);
  const opt = createAdamW(p, ops.optimizer);
  const { images, labels } = benchData(cfg);
  const losses: number[] = [];
  const t = await timeRuns(() => losses.push(trainStep(p, opt, images, labels, cfg, ops)), { runs, warmup: backend === 'wasm' ? 1 : 0 });
  disposeVit(p, opt);
  tf.dispose([images, labels]);
  return { backend, medianMs: round(median(t), 1), losses: losses.map((l) => round(l, 5)) };
}

/**
 * wasm step, 2-worker data-parallel step and torch step, alternated round by round, with wall
 * and CPU time of each. CPU time is what a step costs whatever the load: the single wasm step's
 * thread, each data-parallel worker thread (the slower worker is the critical path on two free
 * cores), all torch threads together.
 */
async function pairedSection(cfg: VitConfig, rounds: number): Promise<Record<string, unknown>> {
  const torch = await TorchStepServer.start(['--depth', String(cfg.depth), '--batch', String(cfg.batch), '--warmup', '2', '--matmul', '']);
  if ('unavailable' in torch) return { skipped: true, reason: torch.unavailable };
  await initBackend({ prefer: 'wasm' });
  const p = createVit(cfg, 1);
  const opt = createAdamW(p, FAST_OPS.optimizer);
  const { images, labelIds, labels } = benchData(cfg);
  const dp = await DataParallel.create({ workers: 2, replicaModule: new URL('./vit-replica.ts', import.meta.url), options: { cfg, seed: 1 }, checkEvery: 0 });
  const batch = { images: { data: images.dataSync() as Float32Array, shape: images.shape }, labels: { data: labelIds, shape: [cfg.batch] } };
  trainStep(p, opt, images, labels, cfg, FAST_OPS); // warm-up
  await dp.step(batch);
  const rows: Array<Record<string, number>> = [];
  for (let i = 0; i < rounds; i++) {
    let t0 = performance.now();
    const c0 = threadCpuMs() ?? NaN;
    trainStep(p, opt, images, labels, cfg, FAST_OPS);
    const wasmCpuMs = (threadCpuMs() ?? NaN) - c0;
    const wasmMs = performance.now() - t0;
    const torchA = await torch.step();
    t0 = performance.now();
    const d = await dp.step(batch);
    const dpMs = performance.now() - t0;
    const torchB = await torch.step();
    const workerCpu = d.workerMs.map((w) => w.cpu ?? NaN);
    rows.push({
      wasmMs: round(wasmMs, 1),
      dataParallel2Ms: round(dpMs, 1),
      torchMs: round((torchA.ms + torchB.ms) / 2, 1),
      wasmCpuMs: round(wasmCpuMs, 0),
      dataParallel2WorkerCpuMaxMs: round(Math.max(...workerCpu), 0),
      dataParallel2WorkerCpuSumMs: round(workerCpu.reduce((s, x) => s + x, 0), 0),
      torchCpuMs: round((torchA.cpuMs + torchB.cpuMs) / 2, 0),
      loadavg1: load()[0],
    });
    console.log(`paired round ${i}: ${JSON.stringify(rows.at(-1))}`);
  }
  const replicaHash = await dp.checkReplicas();
  await dp.close();
  const torchRss = await torch.close();
  disposeVit(p, opt);
  tf.dispose([images, labels]);
  const med = (f: (r: Record<string, number>) => number) => round(median(rows.map(f)), 2);
  return {
    rounds: rows,
    replicasIdentical: replicaHash,
    torchPeakRssMiB: round(torchRss.peakRssMiB, 1),
    medianRatio: {
      wasmOverTorch: med((r) => r.wasmMs / r.torchMs),
      dataParallel2OverTorch: med((r) => r.dataParallel2Ms / r.torchMs),
      wasmOverDataParallel2: med((r) => r.wasmMs / r.dataParallel2Ms),
    },
    cpuTime: {
      note: 'CPU ms per step (load-independent): on two free cores a step takes about its critical-path CPU time — the single wasm thread; the slower data-parallel worker; torch\'s CPU time / 2 if both its threads stay busy.',
      wasmCpuMs: med((r) => r.wasmCpuMs),
      dataParallel2WorkerCpuMaxMs: med((r) => r.dataParallel2WorkerCpuMaxMs),
      dataParallel2WorkerCpuSumMs: med((r) => r.dataParallel2WorkerCpuSumMs),
      torchCpuMs: med((r) => r.torchCpuMs),
      wasmCpuOverTorchCpuHalf: med((r) => r.wasmCpuMs / (r.torchCpuMs / 2)),
      dataParallel2CriticalCpuOverTorchCpuHalf: med((r) => r.dataParallel2WorkerCpuMaxMs / (r.torchCpuMs / 2)),
      wasmCpuOverDataParallel2CriticalCpu: med((r) => r.wasmCpuMs / r.dataParallel2WorkerCpuMaxMs),
    },
  };
}

/** BENCH_ONLY=paired: rerun the paired section alone and replace it in the existing result. */
async function pairedOnly(): Promise<void> {
  const file = path.join(HERE, '../../../bench/results/core.json');
  const prev = JSON.parse(fs.readFileSync(file, 'utf8')) as { vitStep: Record<string, unknown>; loadAverage: Record<string, unknown> };
  const start = load();
  const { name: _name, machine, ...rest } = prev as unknown as Record<string, unknown>;
  const r = rest as typeof prev;
  const fullRunDate = (machine as { date?: string } | undefined)?.date;
  r.vitStep.paired = await pairedSection(QUICK ? { ...VIT_TINY, depth: 2, batch: 2 } : VIT_TINY, QUICK ? 2 : 5);
  r.loadAverage.pairedRerun = { start, end: load(), date: new Date().toISOString(), otherSectionsFrom: fullRunDate };
  writeBenchResult('core', r as unknown as Record<string, unknown>);
}

async function main(): Promise<void> {
  if (process.env.BENCH_ONLY === 'paired') return pairedOnly();
  const t0 = performance.now();
  const loadStart = load();
  const full: VitConfig = QUICK ? { ...VIT_TINY, depth: 2, batch: 2 } : VIT_TINY;
  const reduced: VitConfig = { ...VIT_TINY, depth: 2, batch: 2 };

  const matmul = await matmulSection();
  await initBackend({ prefer: 'wasm' });
  const slices = await benchSlices(QUICK ? 2 : 5);
  for (const s of slices) console.log(`${s.op} [${s.shape}] → ${s.pieces}: shipped ${s.shippedMs} ms, fast ${s.fastMs} ms (${s.speedup}×)`);
  const convGrads = await benchConvGrads(QUICK ? 1 : 3);
  for (const c of convGrads) console.log(`conv forward + filter grad ${c.name}: wasm ${c.wasmMs} ms (${c.wasmGflops} GFLOP/s)`);
  await initBackend({ prefer: 'wasm' });
  const fused = await benchFused(QUICK ? 3 : 15);
  for (const f of fused) console.log(`fused ${f.op} [${f.shape}] forward+backward: ${f.unfusedMs} → ${f.fusedMs} ms (${f.speedup}×)`);

  // Profile of one step (after two warm-up steps) of the fast path.
  const p = createVit(full, 1);
  const opt = createAdamW(p, FAST_OPS.optimizer);
  const { images, labels } = benchData(full);
  for (let i = 0; i < 2; i++) trainStep(p, opt, images, labels, full, FAST_OPS);
  const profile = await profileStep(p, opt, images, labels, full, FAST_OPS);
  disposeVit(p, opt);
  tf.dispose([images, labels]);
  console.log(`profile: forward ${profile.forward.wallMs} ms, backward ${profile.backward.wallMs} ms, optimizer ${profile.optimizer.wallMs} ms`);

  const variants = {
    fast: childStep('fast', full, QUICK ? 2 : 5, 1),
    dataParallel2: childStep('dataParallel2', full, QUICK ? 2 : 5, 1),
    fastUnfused: childStep('fastUnfused', full, QUICK ? 1 : 3, 1),
    matmulOnly: childStep('matmulOnly', full, QUICK ? 1 : 2, 1),
    // ~20 s a step unloaded: no warm-up.
    shipped: childStep('shipped', full, QUICK ? 1 : 2, 0),
  };
  const torchFull = runTorch(['--depth', String(full.depth), '--batch', String(full.batch), '--runs', '5', '--warmup', '2']);
  const torchFullMs = torchFull.available ? torchFull.result.vitStep.medianMs : null;
  const paired = await pairedSection(full, QUICK ? 2 : 5);
  const cpuAb = QUICK ? null : await cpuAB('fastUnfused', 'fast', 4);

  const wasmFastReduced = await reducedStep('wasm', reduced, FAST_OPS, 3);
  const cpuReduced = await reducedStep('cpu', reduced, SHIPPED_OPS, QUICK ? 1 : 2);
  const torchReduced = runTorch(['--depth', String(reduced.depth), '--batch', String(reduced.batch), '--runs', '5', '--warmup', '2', '--matmul', '']);
  const torchReducedMs = torchReduced.available ? torchReduced.result.vitStep.medianMs : null;
  const ratio = (a: number, b: number | null) => (b === null ? null : round(a / b, 2));

  writeBenchResult('core', {
    package: '@babelrs/core',
    quick: QUICK,
    loadAverage: { start: loadStart, end: load() },
    notes: [
      'wasm is single-threaded in Node (SIMD build); cpu is tfjs pure-JS; torch anchor runs with 2 threads and OpenBLAS (DESIGN.md §3).',
      'The machine is shared (2 cores, other jobs running: see loadAverage and paired.rounds[].loadavg1): absolute times are noisy; compare ratios measured back to back — `paired` alternates wasm, data-parallel and torch steps round by round for that reason.',
      'Step variants (each in its own process; peakRssMiB is that process\'s peak resident set, worker threads included): shipped = tf.matMul + tfjs kernels as shipped; matmulOnly = core matMul/linear with the shipped kernels; fastUnfused = core matMul/linear + core wasm overrides, LayerNorm/GELU composed from tfjs ops; fast = the same with core\'s fused LayerNorm/GELU; dataParallel2 = fast on two worker threads (DataParallel, one wasm backend each, gradients summed through a SharedArrayBuffer).',
      'Step k\'s loss must agree across variants (same seed, same batch): a check that the fast paths compute the same training step.',
      'profile: tf.profile kernel times of one fast step; backward = (forward + backward) − forward per kernel; customGrad wrappers are dropped (their kernels are listed themselves).',
      'cpu ViT step uses a reduced model (depth 2, batch 2): the pure-JS backend is ~20× slower than wasm.',
      'CPU time (paired.cpuTime, cpuAB) is read per thread from /proc/thread-self/stat (10 ms ticks) and, for torch, time.process_time(): unlike wall time it barely depends on load, so it shows what a step costs and how DataParallel splits it even when no core is free.',
    ],
    matmulGflops: matmul,
    sliceOverride: slices,
    conv2dFilterGrad: convGrads,
    fusedOps: fused,
    profile,
    vitStep: {
      config: full,
      variants,
      torch: torchFull.available ? torchFull.result : { skipped: true, reason: torchFull.reason },
      paired,
      cpuAB: cpuAb,
      ratios: {
        shippedOverFast: ratio(variants.shipped.medianMs, variants.fast.medianMs),
        fastUnfusedOverFast: ratio(variants.fastUnfused.medianMs, variants.fast.medianMs),
        fastOverDataParallel2: ratio(variants.fast.medianMs, variants.dataParallel2.medianMs),
        fastOverTorch: ratio(variants.fast.medianMs, torchFullMs),
        dataParallel2OverTorch: ratio(variants.dataParallel2.medianMs, torchFullMs),
        peakRssFastOverTorch: torchFull.available ? round(variants.fast.peakRssMiB / torchFull.result.vitStep.peakRssMiB, 2) : null,
        peakRssDataParallel2OverTorch: torchFull.available ? round(variants.dataParallel2.peakRssMiB / torchFull.result.vitStep.peakRssMiB, 2) : null,
      },
      reduced: {
        config: reduced,
        wasmFast: wasmFastReduced,
        cpu: cpuReduced,
        torchMedianMs: torchReducedMs,
        cpuOverWasmFast: ratio(cpuReduced.medianMs, wasmFastReduced.medianMs),
        wasmFastOverTorch: ratio(wasmFastReduced.medianMs, torchReducedMs),
      },
    },
    totalSeconds: round((performance.now() - t0) / 1000, 1),
  });
}

await main();
