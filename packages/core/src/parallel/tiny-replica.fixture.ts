// A small replica for DataParallel's tests: LayerNorm → Linear → GELU → Linear classifier with
// core's AdamW. `createTinyReplica` is also used in-process as the single-worker reference.
import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { gelu } from '../nn/gelu.js';
import { Rng } from '../random/rng.js';
import { AdamW } from '../optim/adamw.js';
import type { Replica } from './replica.js';

export interface TinyReplicaOptions {
  inDim: number;
  hidden: number;
  classes: number;
  seed: number;
}

class TinyNet extends Module {
  readonly norm: LayerNorm;
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(o: TinyReplicaOptions) {
    super();
    const rng = new Rng(o.seed);
    this.norm = this.registerModule('norm', new LayerNorm(o.inDim));
    this.fc1 = this.registerModule('fc1', new Linear(o.inDim, o.hidden, { rng }));
    this.fc2 = this.registerModule('fc2', new Linear(o.hidden, o.classes, { rng }));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.fc2.forward(gelu(this.fc1.forward(this.norm.forward(x))));
  }
}

export function createTinyReplica(options: unknown): Replica {
  const o = options as TinyReplicaOptions;
  const net = new TinyNet(o);
  return {
    parameters: net,
    // mean cross-entropy over the shard: x [n, inDim] float32, y [n] int32 labels
    loss: (batch) => tf.losses.softmaxCrossEntropy(tf.oneHot(batch.y as tf.Tensor1D, o.classes), net.forward(batch.x)) as tf.Scalar,
    optimizer: new AdamW(net, { lr: 1e-2, weightDecay: 0.05 }),
  };
}

/** Replica whose factory throws, for the error path. */
export function createBrokenReplica(): Replica {
  throw new Error('broken replica factory');
}

export interface TwoHeadShard {
  /** Which head's loss this shard computes. */
  head: 'a' | 'b';
  x: Float32Array; // [n, inDim]
  t: Float32Array; // [n]
}

/**
 * Two linear heads and a parameter no loss reaches, for `stepShards`: a shard's loss uses one
 * head only (its other head gets no gradient from it; `unused` gets none from anyone).
 */
export function createTwoHeadReplica(options: unknown): Replica {
  const o = options as TinyReplicaOptions;
  const net = new TwoHeadNet(o);
  let last: Record<string, number> = {};
  return {
    parameters: net,
    loss: (_batch, payload) => {
      const s = payload as TwoHeadShard;
      const x = tf.tensor2d(s.x, [s.t.length, o.inDim]);
      const pred = (s.head === 'a' ? net.a : net.b).forward(x).reshape([-1]);
      const l = tf.losses.meanSquaredError(tf.tensor1d(s.t), pred) as tf.Scalar;
      last = { [`loss_${s.head}`]: -1 };
      return l;
    },
    optimizer: new AdamW(net, { lr: 1e-2, weightDecay: 0.1 }),
    metrics: () => last,
    exportState: () => ({ numParams: net.namedParameters().length }),
  };
}

export class TwoHeadNet extends Module {
  readonly a: Linear;
  readonly b: Linear;
  readonly unused: Linear;

  constructor(o: TinyReplicaOptions) {
    super();
    const rng = new Rng(o.seed);
    this.a = this.registerModule('a', new Linear(o.inDim, 1, { rng }));
    this.b = this.registerModule('b', new Linear(o.inDim, 1, { rng }));
    this.unused = this.registerModule('unused', new Linear(o.inDim, 1, { rng }));
  }
}
