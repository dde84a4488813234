// Causal-LM cross-entropy restricted to response tokens, with the usual shift by one: the
// logits at position t predict token t + 1. Equals PyTorch's
// F.cross_entropy(logits[:, :-1], labels[:, 1:], ignore_index=-100) where labels are −100 at
// every position whose mask is 0 (the Hugging Face / InternVL convention).
import * as tf from '@tensorflow/tfjs';
import { CsiaInputError } from './errors.js';

interface ShiftedTargets {
  /** Flat index into the [B·T·V] logits of each position's target logit. */
  flatIndex: Int32Array;
  /** [B·T] 1 where position t's next token t + 1 is a response token; 0 on every last position. */
  weight: Float32Array;
  count: number;
}

/**
 * Host-side bookkeeping: validates targets where they count and builds constant gather
 * indices. Rows cover all B·T positions (the last position of each sequence gets weight 0)
 * instead of slicing logits[:, :-1]: a strided slice of [B, T, V] costs seconds on the cpu
 * backend, a reshape is free.
 */
function shiftTargets(targets: Int32Array, mask: Float32Array, b: number, t: number, v: number): ShiftedTargets {
  const flatIndex = new Int32Array(b * t);
  const weight = new Float32Array(b * t);
  let count = 0;
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < t - 1; j++) {
      const row = i * t + j;
      const w = mask[row + 1];
      if (w !== 0 && w !== 1) throw new CsiaInputError(`loss mask must be 0/1, got ${w} at [${i}, ${j + 1}]`);
      const target = targets[row + 1];
      if (w === 1 && (target < 0 || target >= v)) {
        throw new CsiaInputError(`target token ${target} at [${i}, ${j + 1}] is outside the vocabulary [0, ${v})`);
      }
      // Masked positions may hold padding ids (or −100): point them at logit 0, weight 0.
      flatIndex[row] = row * v + (w === 1 ? target : 0);
      weight[row] = w;
      count += w;
    }
    flatIndex[i * t + t - 1] = (i * t + t - 1) * v; // last position: predicts nothing
  }
  return { flatIndex, weight, count };
}

/**
 * Σ_rows w·(logsumexp(z) − z[y]) / count with a hand-written gradient (softmax(z) − onehot(y))·w/count.
 * The forward gathers one logit per row; the backward needs no gather gradient
 * (UnsortedSegmentSum, which the wasm backend lacks) and rebuilds its constants from host
 * arrays, because tensors captured from the forward scope are disposed before backward runs.
 */
function maskedMeanNll(z: tf.Tensor2D, shifted: ShiftedTargets): tf.Scalar {
  const [m, v] = z.shape;
  const targetIds = new Int32Array(m);
  shifted.flatIndex.forEach((flat, row) => (targetIds[row] = flat - row * v));
  const forward = (logits: tf.Tensor, save: tf.GradSaveFunc) => {
    const lse = tf.logSumExp(logits, 1, true); // [M, 1]
    // −log softmax(z)[y] = logsumexp(z) − z[y]; never materialises the [M, V] log-probabilities.
    const picked = tf.gather(tf.reshape(logits, [-1]), tf.tensor1d(shifted.flatIndex, 'int32')); // [M]
    const perRow = tf.sub(tf.reshape(lse, [-1]), picked); // [M]
    const value = tf.div(tf.sum(tf.mul(perRow, tf.tensor1d(shifted.weight))), shifted.count);
    save([logits, lse]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [zs, lses] = saved;
        const prob = tf.exp(tf.sub(zs, lses)); // [M, V] softmax
        // int32 oneHot then cast: tfjs-backend-wasm 4.22 returns all zeros for dtype 'float32'.
        const onehot = tf.cast(tf.oneHot(tf.tensor1d(targetIds, 'int32'), v), 'float32'); // [M, V]
        const rowScale = tf.mul(tf.reshape(tf.tensor1d(shifted.weight), [m, 1]), tf.div(dy, shifted.count)); // [M, 1]
        return tf.mul(tf.sub(prob, onehot), rowScale);
      },
    };
  };
  // tfjs types the callback as variadic (Tensor | GradSaveFunc)[]; ours takes (tensor, save).
  const nll = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  return nll(z) as tf.Scalar;
}

/**
 * logits: [B, T, V], targets: [B, T] int32 token ids (the input sequence), mask: [B, T] from
 * `buildLossMask`. Returns the scalar mean negative log-likelihood over response tokens.
 */
export function responseOnlyCrossEntropy(logits: tf.Tensor3D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  const [b, t, v] = logits.shape;
  if (logits.rank !== 3) throw new CsiaInputError(`logits must be [B, T, V], got rank ${logits.rank}`);
  for (const [name, x] of [['targets', targets], ['mask', mask]] as const) {
    if (x.rank !== 2 || x.shape[0] !== b || x.shape[1] !== t) {
      throw new CsiaInputError(`${name} shape [${x.shape.join(', ')}] does not match logits [${b}, ${t}, ·]`);
    }
  }
  if (targets.dtype !== 'int32') throw new CsiaInputError(`targets must be int32 token ids, got ${targets.dtype}`);
  if (t < 2) throw new CsiaInputError(`sequences need at least 2 tokens for next-token prediction, got T = ${t}`);
  const shifted = shiftTargets(targets.dataSync() as Int32Array, mask.dataSync() as Float32Array, b, t, v);
  if (shifted.count === 0) throw new CsiaInputError('responseOnlyCrossEntropy: the mask selects no response token to predict');
  return tf.tidy(() => maskedMeanNll(tf.reshape(logits, [b * t, v]) as tf.Tensor2D, shifted)); // rows [B·T, V]
}
