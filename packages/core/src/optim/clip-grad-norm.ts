import * as tf from '@tensorflow/tfjs';

export interface ClipGradNormResult {
  /** New gradient tensors (the caller disposes them; the inputs are left untouched). */
  grads: tf.NamedTensorMap;
  /** Global L2 norm of the gradients BEFORE clipping (NaN/Inf when they hold NaN/Inf). */
  norm: number;
  finite: boolean;
  /** The factor applied (1 when not clipped or when the norm is non-finite). */
  clipCoef: number;
}

/**
 * Clips gradients by their global L2 norm like `torch.nn.utils.clip_grad_norm_`:
 * coef = maxNorm / (norm + 1e-6), clamped to ≤ 1. A non-finite norm is reported
 * (`finite: false`, `norm` NaN or Inf) and the gradients are returned unscaled, so the caller
 * (or the loss scaler) can skip the step instead of silently applying garbage.
 */
export function clipGradNorm(grads: tf.NamedTensorMap, maxNorm: number): ClipGradNormResult {
  if (!(maxNorm > 0)) throw new RangeError(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  const norm = globalGradNorm(grads);
  const finite = Number.isFinite(norm);
  const clipCoef = finite ? Math.min(maxNorm / (norm + 1e-6), 1) : 1;
  const out: tf.NamedTensorMap = {};
  for (const [k, g] of Object.entries(grads)) out[k] = clipCoef === 1 ? tf.clone(g) : tf.tidy(() => tf.mul(g, clipCoef));
  return { grads: out, norm, finite, clipCoef };
}

/**
 * √(Σ‖g‖²) over all gradients: per-tensor norms (as torch), combined in float64, one read.
 * Empty gradients contribute 0. A per-tensor norm whose float32 Σg² overflows (|g| ≳ 1.8e19,
 * where torch still gets a finite norm because it accumulates in double) is recomputed as
 * max|g|·‖g / max|g|‖, so only a gradient that really holds Inf/NaN gives a non-finite norm.
 */
export function globalGradNorm(grads: tf.NamedTensorMap): number {
  // wasm reductions over zero elements return uninitialised memory: leave empty tensors out.
  const list = Object.values(grads).filter((g) => g.size > 0);
  if (list.length === 0) return 0;
  // One device → host transfer for all tensors instead of one per gradient.
  const norms = tf.tidy(() => tf.stack(list.map((g) => tf.norm(g))).dataSync());
  let sumSq = 0;
  for (let i = 0; i < list.length; i++) {
    const n = norms[i] === Infinity ? rescaledNorm(list[i]) : norms[i];
    sumSq += n * n;
  }
  return Math.sqrt(sumSq);
}

/** ‖g‖ without float32 overflow of Σg²: Inf only when g itself holds ±Inf. */
function rescaledNorm(g: tf.Tensor): number {
  const maxAbs = tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]);
  if (!Number.isFinite(maxAbs) || maxAbs === 0) return maxAbs;
  return maxAbs * tf.tidy(() => tf.norm(tf.div(g, maxAbs)).dataSync()[0]);
}
