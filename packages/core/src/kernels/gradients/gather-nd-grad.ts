// Gradient of GatherNd, which tfjs lacks on every backend: scatter dy back to the gathered
// positions, summing where an index repeats (scatterND accumulates duplicates).
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';
import { tf } from '../../backend/tf.js';

export const gatherNdGradConfig: GradConfig = {
  kernelName: 'GatherNd',
  inputsToSave: ['params', 'indices'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], _attrs: NamedAttrMap) => {
    const [params, indices] = saved;
    const g = dy as Tensor;
    return {
      params: () => tf.scatterND(indices, g, params.shape),
      indices: () => tf.zeros(indices.shape, 'float32'), // integer input: no gradient
    };
  },
};
