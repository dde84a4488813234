// Square-matmul throughput on the active backend. `variant` picks how the product is issued, to
// show the wasm fast path (plain 2-D) against the cases wasm sends to its slow loop.
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../src/index.js';
import { median, timeRuns } from '../../../bench/lib.js';

export type MatMulVariant = 'plain' | 'transposeB' | 'batched4';

export interface MatMulResult {
  n: number;
  variant: MatMulVariant;
  medianMs: number;
  gflops: number;
  runs: number;
}

export async function benchMatMul(n: number, variant: MatMulVariant, runs: number): Promise<MatMulResult> {
  // batched4: 4 products of n/2 — same shape class as attention's per-head products.
  const [a, b]: Tensor[] =
    variant === 'batched4'
      ? [tf.randomNormal([4, n / 2, n / 2]), tf.randomNormal([4, n / 2, n / 2])]
      : [tf.randomNormal([n, n]), tf.randomNormal([n, n])];
  const flops = variant === 'batched4' ? 4 * 2 * (n / 2) ** 3 : 2 * n ** 3;
  const times = await timeRuns(
    () => {
      const y = tf.matMul(a, b, false, variant === 'transposeB');
      y.dataSync(); // wait for the result
      y.dispose();
    },
    { runs, warmup: 1 },
  );
  tf.dispose([a, b]);
  const med = median(times);
  return { n, variant, medianMs: round(med), gflops: round(flops / (med / 1000) / 1e9), runs };
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
