// Matrix products whose forward and backward passes issue only plain 2-D, non-transposed
// matmuls. Why: tfjs-backend-wasm sends exactly that case to XNNPACK; a transposed or batched
// BatchMatMul falls into a slow scalar loop, and tfjs's own matmul gradient always uses
// transposed products — so a ViT's backward pass on wasm ran ~5× slower than it has to
// (DESIGN.md §3, fix 1). Transposes are done explicitly (memory-bound, cheap), batches are
// split into 2-D products.
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../backend/tf.js';
import { batchedMatMulFlags } from './batched-mat-mul.js';

/**
 * a·b over the last two dims with batch broadcasting, like `tf.matMul`. On the wasm backend it
 * routes through {@link matMulPlain2d}; elsewhere (cpu, native tensorflow) through
 * {@link matMulNative}. a: [..., M, K] (or [..., K, M] if transposeA), b: [..., K, N]
 * (or [..., N, K]) → [..., M, N].
 */
export function matMul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  if (tf.getBackend() === 'wasm') return matMulPlain2d(a, b, transposeA, transposeB);
  return matMulNative(a, b, transposeA, transposeB);
}

/**
 * `tf.matMul` (the backend's own batched/transposed kernel), except where batch dims broadcast:
 * tfjs 4.22's matmul gradient returns the un-reduced shape there and throws ("gradient of input
 * 'b' has shape '2,4,5', which does not match … '4,5'"). Then a shared 2-D b is folded into
 * rows, and other broadcasts are tiled explicitly (tile's gradient sums the copies).
 */
export function matMulNative(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  checkOperands(a, b, transposeA, transposeB);
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  if (sameShape(aBatch, bBatch)) return tf.matMul(a, b, transposeA, transposeB);
  return tf.tidy(() => {
    const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
    if (count(bBatch) === 1 && !transposeA) {
      const m: number = a.shape[a.rank - 2];
      const k: number = a.shape[a.rank - 1];
      const n: number = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1];
      const b2 = b.reshape(b.shape.slice(-2));
      const y = tf.matMul(a.reshape([-1, k]), b2, false, transposeB); // [B·M, N]
      return y.reshape([...outBatch, m, n]);
    }
    return tf.matMul(tileToBatch(a, outBatch), tileToBatch(b, outBatch), transposeA, transposeB);
  });
}

function sameShape(x: readonly number[], y: readonly number[]): boolean {
  return x.length === y.length && x.every((d, i) => d === y[i]);
}

function tileToBatch(t: Tensor, outBatch: number[]): Tensor {
  const lead = t.shape.slice(0, -2);
  const padded = [...Array(outBatch.length - lead.length).fill(1), ...lead];
  if (sameShape(padded, outBatch)) return t.reshape([...outBatch, ...t.shape.slice(-2)]);
  const r = t.reshape([...padded, ...t.shape.slice(-2)]);
  return tf.tile(r, [...outBatch.map((d, i) => (padded[i] === d ? 1 : d)), 1, 1]);
}

/** {@link matMul} that always takes the plain-2-D path, on any backend (tests, benchmarks). */
export function matMulPlain2d(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  checkOperands(a, b, transposeA, transposeB);
  return tf.tidy(() => {
    const m = transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2];
    const k = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
    const n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1];
    const aBatch = a.shape.slice(0, -2);
    const bBatch = b.shape.slice(0, -2);
    const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
    if (count(bBatch) === 1 && (!transposeA || count(aBatch) === 1)) {
      // The linear-layer case: a's batch folded into rows, one [B·M, K]·[K, N] product.
      const a2 = transposeA ? a.reshape(a.shape.slice(-2)) : a.reshape([-1, k]);
      const y = singleProduct(transposeA, transposeB)(a2, b.reshape(b.shape.slice(-2)));
      return y.reshape([...outBatch, m, n]);
    }
    const pairs = broadcastPairs(aBatch, bBatch, outBatch);
    const a3 = a.reshape([count(aBatch), ...a.shape.slice(-2)]);
    const b3 = b.reshape([count(bBatch), ...b.shape.slice(-2)]);
    return batchedMatMulFlags(pairs, transposeA, transposeB)(a3, b3).reshape([...outBatch, m, n]);
  });
}

const singleProducts = new Map<string, (a: Tensor, b: Tensor) => Tensor>();

/** One 2-D product op(a)·op(b) with the flag-aware gradient (cached per flag pair). */
function singleProduct(tA: boolean, tB: boolean): (a: Tensor, b: Tensor) => Tensor {
  const key = `${tA},${tB}`;
  let f = singleProducts.get(key);
  if (!f) singleProducts.set(key, (f = batchedMatMulFlags([[0, 0]], tA, tB)));
  return f;
}

function checkOperands(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): void {
  if (a.rank < 2 || b.rank < 2) {
    throw new Error(`matMul: operands need rank ≥ 2, got shapes [${a.shape}] and [${b.shape}]`);
  }
  const kA = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  const kB = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2];
  if (kA !== kB) {
    throw new Error(
      `matMul: inner dimensions differ (${kA} vs ${kB}) for shapes [${a.shape}] and [${b.shape}] ` +
        `with transposeA=${transposeA}, transposeB=${transposeB}`,
    );
  }
}

function count(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** For each output batch index (row-major), the flat batch index into a and into b. */
function broadcastPairs(aBatch: number[], bBatch: number[], outBatch: number[]): Array<[number, number]> {
  const rank = outBatch.length;
  const pad = (s: number[]) => [...Array(rank - s.length).fill(1), ...s];
  const aS = pad(aBatch);
  const bS = pad(bBatch);
  const pairs: Array<[number, number]> = [];
  const idx = new Array<number>(rank).fill(0);
  for (let p = 0; p < count(outBatch); p++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      ia = ia * aS[d] + (aS[d] === 1 ? 0 : idx[d]);
      ib = ib * bS[d] + (bS[d] === 1 ? 0 : idx[d]);
    }
    pairs.push([ia, ib]);
    for (let d = rank - 1; d >= 0 && ++idx[d] === outBatch[d]; d--) idx[d] = 0;
  }
  return pairs;
}
