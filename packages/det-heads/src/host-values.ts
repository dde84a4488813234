// Targets and labels are constants of the loss: read them on the host once, so that masks and
// weights are built as constant tensors outside the differentiated path (tfjs has no gradient
// for comparison ops, and targets need none).
import * as tf from '@tensorflow/tfjs';

export type HostValues = tf.Tensor | ArrayLike<number>;

export function hostValues(x: HostValues): ArrayLike<number> {
  return x instanceof tf.Tensor ? x.dataSync() : x;
}
