// Fused ops (hand-written gradients) against the unfused tfjs compositions, forward + backward,
// at the ViT-Tiny batch-8 shapes: LayerNorm [8, 197, 192], GELU [8, 197, 768], linear [1576, 192]→768.
import type { Tensor } from '@tensorflow/tfjs';
import { geluErfUnfused, layerNorm, layerNormUnfused, linear2d, matMul, tf, geluErf } from '../src/index.js';
import { round } from './matmul-bench.js';

export interface FusedResult {
  op: string;
  shape: number[];
  /** fastest of `runs` alternating runs */
  unfusedMs: number;
  fusedMs: number;
  speedup: number;
}

/** Alternates the two variants run by run (load on a shared machine hits both alike); reports
 *  the fastest run of each, which is the least disturbed by other processes. */
function fwdBwdPair(a: (...xs: Tensor[]) => Tensor, b: (...xs: Tensor[]) => Tensor, xs: Tensor[], runs: number): [number, number] {
  const ga = tf.grads((...ins: Tensor[]) => tf.sum(a(...ins)));
  const gb = tf.grads((...ins: Tensor[]) => tf.sum(b(...ins)));
  const once = (g: typeof ga) => {
    const t0 = performance.now();
    tf.tidy(() => {
      for (const d of g(xs)) d.dataSync();
    });
    return performance.now() - t0;
  };
  once(ga);
  once(gb);
  let ta = Infinity;
  let tb = Infinity;
  for (let i = 0; i < runs; i++) {
    ta = Math.min(ta, once(ga));
    tb = Math.min(tb, once(gb));
  }
  return [ta, tb];
}

export async function benchFused(runs: number): Promise<FusedResult[]> {
  const out: FusedResult[] = [];
  const x = tf.randomNormal([8, 197, 192], 0, 1, 'float32', 1);
  const w = tf.randomNormal([192], 1, 0.1, 'float32', 2);
  const b = tf.randomNormal([192], 0, 0.1, 'float32', 3);
  const h = tf.randomNormal([8, 197, 768], 0, 1, 'float32', 4);
  const xl = tf.randomNormal([1576, 192], 0, 1, 'float32', 5);
  const wl = tf.randomNormal([768, 192], 0, 0.02, 'float32', 6);
  const bl = tf.zeros([768]);
  const cases: Array<[string, Tensor[], (...xs: Tensor[]) => Tensor, (...xs: Tensor[]) => Tensor]> = [
    ['layerNorm', [x, w, b], (a, c, d) => layerNormUnfused(a, c, d, 1e-6), (a, c, d) => layerNorm(a, c, d, 1e-6)],
    ['gelu (erf)', [h], (a) => geluErfUnfused(a), (a) => geluErf(a)],
    ['linear 192→768 (+bias)', [xl, wl, bl], (a, c, d) => tf.add(matMul(a, c, false, true), d), (a, c, d) => linear2d(a, c, d)],
  ];
  for (const [op, xs, unfused, fused] of cases) {
    const [u, f] = fwdBwdPair(unfused, fused, xs, runs);
    out.push({ op, shape: xs[0].shape, unfusedMs: round(u, 2), fusedMs: round(f, 2), speedup: round(u / f, 2) });
  }
  tf.dispose([x, w, b, h, xl, wl, bl]);
  return out;
}

