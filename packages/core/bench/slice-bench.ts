// tf.unstack / tf.split on wasm with the shipped Slice kernels against core's copy-free ones.
import { setWasmKernelOverrides, tf } from '../src/index.js';
import { median, timeRuns } from '../../../bench/lib.js';
import { round } from './matmul-bench.js';

export interface SliceResult {
  op: string;
  shape: number[];
  pieces: number;
  shippedMs: number;
  fastMs: number;
  speedup: number;
}

async function timeBoth(op: string, shape: number[], pieces: number, run: (x: tf.Tensor) => tf.Tensor[], runs: number): Promise<SliceResult> {
  const x = tf.randomNormal(shape);
  const once = () => tf.dispose(run(x));
  setWasmKernelOverrides(false);
  const shipped = median(await timeRuns(once, { runs, warmup: 1 }));
  setWasmKernelOverrides(true);
  const fast = median(await timeRuns(once, { runs, warmup: 1 }));
  x.dispose();
  return { op, shape, pieces, shippedMs: round(shipped), fastMs: round(fast), speedup: round(shipped / fast, 1) };
}

export async function benchSlices(runs: number): Promise<SliceResult[]> {
  return [
    await timeBoth('unstack', [512, 1024], 512, (x) => tf.unstack(x), runs),
    await timeBoth('unstack', [24, 197, 64], 24, (x) => tf.unstack(x), runs), // attention heads
    await timeBoth('split', [1024, 512], 64, (x) => tf.split(x, 64, 0), runs),
  ];
}
