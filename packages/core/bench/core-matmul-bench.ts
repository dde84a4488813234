// core's `matMul` (what every model calls) for every transpose-flag combination, 2-D and batched,
// forward alone and forward + backward (both operand gradients). GFLOP/s counts 2·B·M·N·K per
// product: 1 product forward, 3 forward + backward.
import type { Tensor } from '@tensorflow/tfjs';
import { matMul, tf } from '../src/index.js';
import { median, timeRuns } from '../../../bench/lib.js';
import { round } from './matmul-bench.js';

export interface CoreMatMulResult {
  batch: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
  /** gflops from the median run; bestGflops from the fastest (least disturbed on a shared machine) */
  forward: { medianMs: number; gflops: number; bestGflops: number };
  forwardBackward: { medianMs: number; gflops: number; bestGflops: number };
}

export async function benchCoreMatMul(n: number, batches: number[], runs: number): Promise<CoreMatMulResult[]> {
  const out: CoreMatMulResult[] = [];
  for (const batch of batches) {
    for (const [transposeA, transposeB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      const shape = batch === 1 ? [n, n] : [batch, n, n];
      const a: Tensor = tf.randomNormal(shape, 0, 1, 'float32', 1);
      const b: Tensor = tf.randomNormal(shape, 0, 1, 'float32', 2);
      const dy: Tensor = tf.randomNormal(shape, 0, 1, 'float32', 3);
      // Block bodies: a tidy that returns the Float32Array of dataSync() walks all its elements.
      const fwd = await timeRuns(() => tf.tidy(() => {
        matMul(a, b, transposeA, transposeB).dataSync();
      }), { runs, warmup: 1 });
      const grad = tf.grads((x: Tensor, y: Tensor) => matMul(x, y, transposeA, transposeB));
      const fb = await timeRuns(
        () =>
          tf.tidy(() => {
            const [ga, gb] = grad([a, b], dy);
            ga.dataSync();
            gb.dataSync();
          }),
        { runs, warmup: 1 },
      );
      tf.dispose([a, b, dy]);
      const flops = 2 * batch * n ** 3;
      const f = median(fwd);
      const g = median(fb);
      // grads() runs the forward too: forward + 2 gradient products.
      out.push({
        batch,
        n,
        transposeA,
        transposeB,
        forward: { medianMs: round(f, 2), gflops: round(flops / (f / 1000) / 1e9, 2), bestGflops: round(flops / (Math.min(...fwd) / 1000) / 1e9, 2) },
        forwardBackward: { medianMs: round(g, 2), gflops: round((3 * flops) / (g / 1000) / 1e9, 2), bestGflops: round((3 * flops) / (Math.min(...fb) / 1000) / 1e9, 2) },
      });
    }
  }
  return out;
}
