import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../backend/tf.js';

/**
 * Elementwise smooth-L1 (Huber / β) of a difference, as in torch's `smooth_l1_loss`:
 *   0.5·d²/β if |d| < β, else |d| − 0.5·β;   β ≤ 0 gives |d|.
 * Written as 0.5·m²/β + (|d| − m) with m = min(|d|, β), which equals the two branches and
 * differentiates with ordinary tfjs gradients — no `where(less(…))` on the gradient path.
 */
export function smoothL1(diff: Tensor, beta = 1): Tensor {
  return tf.tidy(() => {
    const absDiff = tf.abs(diff);
    if (beta <= 0) return absDiff;
    const m = tf.minimum(absDiff, beta);
    return m.square().mul(0.5 / beta).add(absDiff.sub(m));
  });
}
