// A replica for examples/data-parallel.ts: every worker thread imports this module and calls
// createReplica(options) — same seed, so all replicas start alike.
import { AdamW, MLP, Rng, tf, type Replica } from '@babelrs/core';

export function createReplica(options: unknown): Replica {
  const { seed } = options as { seed: number };
  const model = new MLP(8, { hiddenFeatures: 32, outFeatures: 2, act: 'gelu', rng: new Rng(seed) });
  return {
    parameters: model,
    // the MEAN loss of the worker's shard: DataParallel weights shards by their size
    loss: (batch) => tf.losses.meanSquaredError(batch.y, model.forward(batch.x)) as tf.Scalar,
    optimizer: new AdamW(model, { lr: 1e-2, weightDecay: 0.05 }),
  };
}
