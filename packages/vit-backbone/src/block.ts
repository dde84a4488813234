// A pre-norm transformer block (timm `Block`, InternViT `InternVisionEncoderLayer`):
//   x = x + drop_path(ls1(attn(norm1(x))));  x = x + drop_path(ls2(mlp(norm2(x))))
import * as tf from '@tensorflow/tfjs';
import { DropPath, LayerNorm, MLP, Module, type Rng } from '@babelrs/core';
import { Attention } from './attention.js';
import { LayerScale } from './layer-scale.js';

export interface BlockOptions {
  dim: number;
  numHeads: number;
  mlpHiddenDim: number;
  qkvBias: boolean;
  layerNormEps: number;
  /** null: no LayerScale (timm's plain ViT). */
  layerScaleInit: number | null;
  dropPath: number;
  rng?: Rng;
}

export class Block extends Module {
  readonly norm1: LayerNorm;
  readonly attn: Attention;
  readonly ls1: LayerScale | null;
  readonly norm2: LayerNorm;
  readonly mlp: MLP;
  readonly ls2: LayerScale | null;
  readonly dropPath: DropPath;

  constructor(opts: BlockOptions) {
    super();
    const { dim, rng } = opts;
    this.norm1 = this.registerModule('norm1', new LayerNorm(dim, { eps: opts.layerNormEps }));
    this.attn = this.registerModule('attn', new Attention(dim, opts.numHeads, { qkvBias: opts.qkvBias, rng }));
    this.ls1 = opts.layerScaleInit === null ? null : this.registerModule('ls1', new LayerScale(dim, opts.layerScaleInit));
    this.norm2 = this.registerModule('norm2', new LayerNorm(dim, { eps: opts.layerNormEps }));
    this.mlp = this.registerModule('mlp', new MLP(dim, { hiddenFeatures: opts.mlpHiddenDim, act: 'gelu', init: 'trunc_normal', rng }));
    this.ls2 = opts.layerScaleInit === null ? null : this.registerModule('ls2', new LayerScale(dim, opts.layerScaleInit));
    // timm uses one DropPath module per branch (drop_path1/2); they share p, and the masks
    // are independent draws either way, so one module serves both.
    this.dropPath = this.registerModule('drop_path', new DropPath(opts.dropPath, { rng }));
  }

  /** x: [B, N, D] → [B, N, D]. */
  forward(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      let a: tf.Tensor = this.attn.forward(this.norm1.forward(x) as tf.Tensor3D);
      if (this.ls1) a = this.ls1.forward(a);
      const y = tf.add(x, this.dropPath.forward(a));
      let m = this.mlp.forward(this.norm2.forward(y));
      if (this.ls2) m = this.ls2.forward(m);
      return tf.add(y, this.dropPath.forward(m)) as tf.Tensor3D;
    });
  }
}
