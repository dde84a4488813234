// KLD loss for oriented boxes (Yang et al., "Learning High-Precision Bounding Box for Rotated
// Object Detection via Kullback-Leibler Divergence", NeurIPS 2021; mmrotate GDLoss with
// loss_type 'kld', the loss of mmrotate's rotated_fcos_kld config). A box (x, y, w, h, θ) is
// the 2-D Gaussian N((x, y), R·diag(w²/4, h²/4)·Rᵀ). The Gaussian is the same for θ and θ + π,
// and for (w, h, θ) and (h, w, θ ± π/2), so the loss has none of the angle-periodicity and
// edge-exchange jumps of an L1 loss on (w, h, θ) — why we use it for le90 targets.
//
// The divergence is KL(N_t ‖ N_p) (Σ_p inverted), as mmrotate's kld_loss with sqrt=True:
//   d = ½ Δᵀ Σ_p⁻¹ Δ / α² + ½ tr(Σ_p⁻¹ Σ_t) + ½ ln(|Σ_p| / |Σ_t|) − 1
//   loss = 1 − 1 / (τ + ln(1 + √max(d, 1e-7)))      (fun 'log1p', τ = 1, α = 1)
// (mmrotate 0.x clamps d at 1e-7 before the square root, newer versions at 0 — whose
// gradient is infinite for a perfect prediction; we keep 1e-7.)
// The 2×2 algebra is written out element-wise (no batched matmul: fast on wasm).
import * as tf from '@tensorflow/tfjs';
import { DetHeadInputError } from './errors.js';
import { reduceLoss, type ReduceOptions } from './reduction.js';

export interface KldLossOptions extends ReduceOptions {
  /** τ of the 1 − 1/(τ + f(d)) mapping (mmrotate default 1). */
  tau?: number;
  /** Scale of the centre term (mmrotate default 1). */
  alpha?: number;
}

interface Gaussian {
  x: tf.Tensor;
  y: tf.Tensor;
  /** Σ = [[a, b], [b, c]], det = a·c − b² = w²h²/16. */
  a: tf.Tensor;
  b: tf.Tensor;
  c: tf.Tensor;
  det: tf.Tensor;
}

/** [N, 5] (cx, cy, w, h, θ) → Gaussian parameters, each [N]. w, h clamped to [1e-7, 1e7]. */
export function obbToGaussian(boxes: tf.Tensor2D): Gaussian {
  const [x, y, w, h, t] = tf.unstack(boxes, 1);
  const w2 = tf.div(tf.square(tf.clipByValue(w, 1e-7, 1e7)), 4);
  const h2 = tf.div(tf.square(tf.clipByValue(h, 1e-7, 1e7)), 4);
  const cos = tf.cos(t);
  const sin = tf.sin(t);
  const cos2 = tf.square(cos);
  const sin2 = tf.square(sin);
  const a = tf.add(tf.mul(cos2, w2), tf.mul(sin2, h2));
  const b = tf.mul(tf.mul(cos, sin), tf.sub(w2, h2));
  const c = tf.add(tf.mul(sin2, w2), tf.mul(cos2, h2));
  return { x, y, a, b, c, det: tf.mul(w2, h2) };
}

function checkBoxes(pred: tf.Tensor2D, target: tf.Tensor2D): void {
  for (const [name, t] of [['pred', pred], ['target', target]] as const) {
    if (t.rank !== 2 || t.shape[1] !== 5) throw new DetHeadInputError(`KLD ${name} boxes must be [N, 5] (cx, cy, w, h, θ), got [${t.shape.join(', ')}]`);
  }
  if (pred.shape[0] !== target.shape[0]) throw new DetHeadInputError(`KLD: ${pred.shape[0]} pred boxes, ${target.shape[0]} targets`);
}

/** The divergence d of each pair, before the log1p/τ mapping: [N]. */
export function kldDistance(pred: tf.Tensor2D, target: tf.Tensor2D, alpha = 1): tf.Tensor1D {
  checkBoxes(pred, target);
  return tf.tidy(() => {
    const p = obbToGaussian(pred);
    const t = obbToGaussian(target);
    const dx = tf.sub(p.x, t.x);
    const dy = tf.sub(p.y, t.y);
    // Δᵀ Σ_p⁻¹ Δ with Σ_p⁻¹ = [[c, −b], [−b, a]] / det
    const quad = tf.div(tf.add(tf.sub(tf.mul(p.c, tf.square(dx)), tf.mul(tf.mul(p.b, 2), tf.mul(dx, dy))), tf.mul(p.a, tf.square(dy))), p.det);
    const trace = tf.div(tf.add(tf.sub(tf.mul(p.c, t.a), tf.mul(tf.mul(p.b, 2), t.b)), tf.mul(p.a, t.c)), p.det);
    const logDet = tf.sub(tf.log(p.det), tf.log(t.det));
    const centre = tf.div(tf.mul(quad, 0.5), alpha * alpha);
    return tf.add(centre, tf.sub(tf.add(tf.mul(trace, 0.5), tf.mul(logDet, 0.5)), 1)) as tf.Tensor1D;
  });
}

/** KLD loss per pair ([N] with reduction 'none'), default 'mean'. */
export function kldLoss(pred: tf.Tensor2D, target: tf.Tensor2D, opts: KldLossOptions = {}): tf.Tensor {
  const { tau = 1, alpha = 1 } = opts;
  if (!(tau >= 1)) throw new DetHeadInputError(`KLD tau must be >= 1 (mmrotate maps 1 − 1/(τ + d) only then), got ${tau}`);
  return tf.tidy(() => {
    const d = kldDistance(pred, target, alpha);
    const mapped = tf.log1p(tf.sqrt(tf.maximum(d, 1e-7)));
    return reduceLoss(tf.sub(1, tf.div(1, tf.add(mapped, tau))), opts);
  });
}
