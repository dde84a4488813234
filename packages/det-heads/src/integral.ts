// GFL (Generalized Focal Loss) regresses each box side as a discrete distribution over the
// distances 0..R (R = regMax); the distance is the distribution's expectation (mmdet Integral).
import * as tf from '@tensorflow/tfjs';
import { matMul } from '@babelrs/core';
import { DetHeadInputError } from './errors.js';

/**
 * logits: [N, 4·(R+1)] (sides in the order left, top, right, bottom, R+1 bins each)
 * → [N, 4] expected distances in bin units, Σ_i softmax(logits_side)_i · i.
 */
export function integralDistribution(logits: tf.Tensor2D, regMax: number): tf.Tensor2D {
  if (!Number.isInteger(regMax) || regMax < 1) throw new DetHeadInputError(`regMax must be an integer >= 1, got ${regMax}`);
  const bins = regMax + 1;
  if (logits.rank !== 2 || logits.shape[1] !== 4 * bins) {
    throw new DetHeadInputError(`integralDistribution expects logits [N, ${4 * bins}] for regMax ${regMax}, got [${logits.shape.join(', ')}]`);
  }
  const n = logits.shape[0];
  return tf.tidy(() => {
    const prob = tf.softmax(tf.reshape(logits, [n * 4, bins])); // [N·4, R+1]
    const project = tf.range(0, bins, 1, 'float32').reshape([bins, 1]); // [R+1, 1]
    // core's matMul: its backward pass stays on wasm's fast 2-D path
    return tf.reshape(matMul(prob, project), [n, 4]) as tf.Tensor2D; // [N, 4]
  });
}
