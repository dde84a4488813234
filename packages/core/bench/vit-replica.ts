// The bench's ViT-Tiny as a DataParallel replica (each worker thread builds one from the same
// seed): images [n, H, W, C] float32 and labels [n] int32 in, mean cross-entropy out.
import type { Tensor } from '@tensorflow/tfjs';
import { tf, type Replica } from '../src/index.js';
import { createAdamW, createVit, FAST_OPS, vitForward, type VitConfig } from './vit-tiny.js';

export function createReplica(options: unknown): Replica {
  const { cfg, seed } = options as { cfg: VitConfig; seed: number };
  const p = createVit(cfg, seed);
  const opt = createAdamW(p, FAST_OPS.optimizer);
  return {
    parameters: [...p],
    loss: (b: Record<string, Tensor>) =>
      tf.losses.softmaxCrossEntropy(tf.oneHot(b.labels as tf.Tensor1D, cfg.classes), vitForward(b.images, p, cfg, FAST_OPS)) as tf.Scalar,
    optimizer: opt,
  };
}
