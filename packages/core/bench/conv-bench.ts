// Forward + filter gradient of conv2d on wasm (core's im2col + XNNPACK Conv2DBackpropFilter;
// tfjs-backend-wasm has no such kernel, so without core these cannot train on wasm at all), for
// two conv shapes our models use. The cpu backend is left out: its JS kernel takes over a minute
// per case here.
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { initBackend, tf } from '../src/index.js';
import { median, timeRuns } from '../../../bench/lib.js';
import { round } from './matmul-bench.js';

export interface ConvGradResult {
  name: string;
  x: number[];
  filter: number[];
  stride: number;
  gflop: number;
  wasmMs: number;
  /** forward + filter-gradient FLOPs over the measured time */
  wasmGflops: number;
}

const CASES = [
  { name: 'patch embed 16×16/16 (ViT-Tiny, batch 8)', x: [8, 224, 224, 3], filter: [16, 16, 3, 192], stride: 16 },
  { name: '3×3 conv 64→64 same (56×56, batch 2)', x: [2, 56, 56, 64], filter: [3, 3, 64, 64], stride: 1 },
] as const;

async function timeFilterGrad(x: readonly number[], filter: readonly number[], stride: number, runs: number): Promise<number> {
  const xs: Tensor = tf.randomNormal([...x]); // [B, H, W, Cin]
  const f: Tensor = tf.randomNormal([...filter]); // [fh, fw, Cin, Cout]
  const grad = tf.grad((ff: Tensor) => tf.conv2d(xs as Tensor4D, ff as Tensor4D, stride, 'same').sum());
  const ms = median(await timeRuns(() => tf.tidy(() => grad(f).dataSync()), { runs, warmup: 1 }));
  tf.dispose([xs, f]);
  return ms;
}

export async function benchConvGrads(runs: number): Promise<ConvGradResult[]> {
  const out: ConvGradResult[] = [];
  for (const c of CASES) {
    const [b, h, w] = c.x;
    const [fh, fw, ci, co] = c.filter;
    const gflop = (2 * 2 * b * (h / c.stride) * (w / c.stride) * fh * fw * ci * co) / 1e9; // forward + dW
    await initBackend({ prefer: 'wasm' });
    const wasmMs = await timeFilterGrad(c.x, c.filter, c.stride, runs);
    out.push({ name: c.name, x: [...c.x], filter: [...c.filter], stride: c.stride, gflop: round(gflop), wasmMs: round(wasmMs, 1), wasmGflops: round(gflop / (wasmMs / 1000), 1) });
  }
  return out;
}
