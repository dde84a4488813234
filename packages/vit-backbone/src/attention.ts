// Multi-head self-attention with timm's parameter names (`qkv`, `proj`): one fused qkv Linear
// [3·D, D] whose output rows are ordered (q | k | v) × heads × headDim, as timm and InternViT.
import * as tf from '@tensorflow/tfjs';
import { Linear, matMul, Module, type Rng } from '@babelrs/core';
import { VitShapeError } from './errors.js';

export interface AttentionOptions {
  qkvBias?: boolean;
  rng?: Rng;
}

export class Attention extends Module {
  readonly qkv: Linear;
  readonly proj: Linear;
  readonly headDim: number;
  readonly scale: number;

  constructor(
    readonly dim: number,
    readonly numHeads: number,
    opts: AttentionOptions = {},
  ) {
    super();
    if (!Number.isInteger(numHeads) || numHeads < 1 || dim % numHeads !== 0) {
      throw new VitShapeError(`Attention: dim ${dim} is not divisible by numHeads ${numHeads}`);
    }
    this.headDim = dim / numHeads;
    this.scale = this.headDim ** -0.5;
    const init = { init: 'trunc_normal' as const, std: 0.02, rng: opts.rng };
    this.qkv = this.registerModule('qkv', new Linear(dim, 3 * dim, { ...init, bias: opts.qkvBias ?? true }));
    this.proj = this.registerModule('proj', new Linear(dim, dim, init));
  }

  /** x: [B, N, D] → [B, N, D]. */
  forward(x: tf.Tensor3D): tf.Tensor3D {
    const [b, n, d] = x.shape;
    if (d !== this.dim) throw new VitShapeError(`Attention: expected tokens [B, N, ${this.dim}], got [${x.shape.join(', ')}]`);
    const h = this.numHeads;
    return tf.tidy(() => {
      const qkv = tf.reshape(this.qkv.forward(x), [b, n, 3 * h, this.headDim]); // [B, N, 3H, hd]
      // Rank-4 transpose (wasm has fast paths up to rank 4), then split q | k | v.
      const heads = tf.transpose(qkv, [0, 2, 1, 3]); // [B, 3H, N, hd]
      const [q, k, v] = tf.split(heads, 3, 1) as tf.Tensor4D[]; // each [B, H, N, hd]
      const scores = matMul(tf.mul(q, this.scale), k, false, true); // [B, H, N, N]
      const attn = tf.softmax(scores, -1); // [B, H, N, N]
      const out = matMul(attn, v); // [B, H, N, hd]
      const merged = tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [b, n, d]); // [B, N, D]
      return this.proj.forward(merged) as tf.Tensor3D;
    });
  }
}
