// Per-kernel time share of one ViT-Tiny training step on wasm, split into forward, backward and
// optimizer. `tf.profile` times every kernel the engine dispatches (the wasm backend's timer
// wraps the synchronous kernel call), so the shares below add up to the kernel time; the gap to
// the wall time is JS overhead outside kernels (tape bookkeeping, tidy, dispose).
// Backward = profile(forward + backward) − profile(forward), per kernel name.
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../src/index.js';
import { round } from './matmul-bench.js';
import { vitForward, type MatOps, type StepOptimizer, type VitConfig, type VitParams } from './vit-tiny.js';

export interface KernelShare {
  kernel: string;
  calls: number;
  ms: number;
  /** fraction of this phase's kernel time */
  share: number;
}

export interface PhaseProfile {
  wallMs: number;
  kernelMs: number;
  kernels: KernelShare[];
}

export interface StepProfile {
  forward: PhaseProfile;
  backward: PhaseProfile;
  optimizer: PhaseProfile;
  /** all three phases together, by kernel */
  total: PhaseProfile;
  /** the slowest individual kernel calls of the step (name + input shapes) */
  slowestCalls: Array<{ kernel: string; inputShapes: string; ms: number; calls: number }>;
}

interface RawKernel {
  name: string;
  kernelTimeMs: number | { error: string };
  inputShapes: number[][];
}

type Tally = Map<string, { calls: number; ms: number }>;

function tally(kernels: RawKernel[], key: (k: RawKernel) => string): Tally {
  const t: Tally = new Map();
  for (const k of kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const e = t.get(key(k)) ?? { calls: 0, ms: 0 };
    e.calls++;
    e.ms += ms;
    t.set(key(k), e);
  }
  return t;
}

function phase(t: Tally, wallMs: number): PhaseProfile {
  const kernelMs = [...t.values()].reduce((s, e) => s + e.ms, 0);
  const kernels = [...t]
    .map(([kernel, e]) => ({ kernel, calls: e.calls, ms: round(e.ms, 1), share: round(e.ms / kernelMs, 4) }))
    .filter((k) => k.ms > 0 || k.calls > 0)
    .sort((a, b) => b.ms - a.ms);
  return { wallMs: round(wallMs, 1), kernelMs: round(kernelMs, 1), kernels };
}

function minus(a: Tally, b: Tally): Tally {
  const out: Tally = new Map();
  for (const [k, e] of a) {
    const s = b.get(k) ?? { calls: 0, ms: 0 };
    const d = { calls: e.calls - s.calls, ms: Math.max(0, e.ms - s.ms) };
    if (d.calls > 0 || d.ms > 0) out.set(k, d);
  }
  return out;
}

function plus(...ts: Tally[]): Tally {
  const out: Tally = new Map();
  for (const t of ts) {
    for (const [k, e] of t) {
      const s = out.get(k) ?? { calls: 0, ms: 0 };
      out.set(k, { calls: s.calls + e.calls, ms: s.ms + e.ms });
    }
  }
  return out;
}

async function profiled(fn: () => void): Promise<{ kernels: RawKernel[]; wallMs: number }> {
  const t0 = performance.now();
  const info = await tf.profile(() => {
    fn();
    return [];
  });
  // customGrad wrappers appear as 'unnamed scope' with the time of the kernels inside them,
  // which are listed on their own too: drop the wrappers so nothing is counted twice.
  // Registered kernels only: customGrad wrappers carry other names ('unnamed scope', the
  // function's name) and the summed time of kernels that are listed on their own.
  const backend = tf.getBackend();
  const kernels = (info.kernels as unknown as RawKernel[]).filter((k) => k.name !== undefined && tf.getKernel(k.name, backend) !== undefined);
  return { kernels, wallMs: performance.now() - t0 };
}

/** Profiles one step of an already warmed-up model; the model's parameters do get updated. */
export async function profileStep(p: VitParams, opt: StepOptimizer, images: Tensor, labels: Tensor, cfg: VitConfig, ops: MatOps): Promise<StepProfile> {
  const lossOf = () => tf.losses.softmaxCrossEntropy(labels, vitForward(images, p, cfg, ops)) as tf.Scalar;
  const fwd = await profiled(() => tf.tidy(() => {
    lossOf().dataSync();
  }));
  let grads: tf.NamedTensorMap = {};
  const fwdBwd = await profiled(() => {
    const r = tf.variableGrads(lossOf);
    r.value.dispose();
    grads = r.grads;
    Object.values(grads)[0].dataSync();
  });
  const optim = await profiled(() => {
    opt.step(grads);
    [...p.values()][0].dataSync();
  });
  tf.dispose(Object.values(grads));
  const byName = (k: RawKernel) => k.name;
  const fT = tally(fwd.kernels, byName);
  const fbT = tally(fwdBwd.kernels, byName);
  const oT = tally(optim.kernels, byName);
  const bT = minus(fbT, fT);
  const calls = tally([...fwdBwd.kernels, ...optim.kernels], (k) => `${k.name} ${JSON.stringify(k.inputShapes)}`);
  const slowestCalls = [...calls]
    .map(([key, e]) => ({ kernel: key.slice(0, key.indexOf(' ')), inputShapes: key.slice(key.indexOf(' ') + 1), ms: round(e.ms, 1), calls: e.calls }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 25);
  return {
    forward: phase(fT, fwd.wallMs),
    backward: phase(bT, fwdBwd.wallMs - fwd.wallMs),
    optimizer: phase(oT, optim.wallMs),
    total: phase(plus(fbT, oT), fwdBwd.wallMs + optim.wallMs),
    slowestCalls,
  };
}
