// Corrected gradient for Cumsum. tfjs 4.22's gradient transposes its result whenever the axis
// is not the last one, although the kernel already works along `axis` — so for any other axis
// the gradient has the wrong shape (or, for square dims, silently wrong values).
// d/dx of an inclusive (exclusive) cumsum is the reverse inclusive (exclusive) cumsum of dy.
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';
import { tf } from '../../backend/tf.js';

export const cumsumGradConfig: GradConfig = {
  kernelName: 'Cumsum',
  inputsToSave: [],
  gradFunc: (dy: Tensor | Tensor[], _saved: Tensor[], attrs: NamedAttrMap) => {
    const { axis, exclusive, reverse } = attrs as unknown as { axis: number; exclusive: boolean; reverse: boolean };
    return { x: () => tf.cumsum(dy as Tensor, axis, exclusive, !reverse) };
  },
};
