import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng.js';
import { normal } from './init.js';
import { Module } from './module.js';

/**
 * Lookup table, weight [numEmbeddings, embeddingDim] initialised N(0, 1) like torch.
 * The gradient of `gather` is `UnsortedSegmentSum`, which core registers for the wasm backend.
 */
export class Embedding extends Module {
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: { rng?: Rng; std?: number } = {},
  ) {
    super();
    this.registerParameter('weight', normal([numEmbeddings, embeddingDim], 0, opts.std ?? 1, opts.rng));
  }

  get weight(): tf.Variable {
    return this.getParameter('weight');
  }

  /** ids: int32 [...] → [..., embeddingDim]. */
  forward(ids: tf.Tensor): tf.Tensor {
    if (ids.dtype !== 'int32') throw new TypeError(`Embedding: ids must be int32, got ${ids.dtype}`);
    return tf.gather(this.weight, ids);
  }
}
