// The oriented region proposal network of Oriented R-CNN (mmrotate `OrientedRPNHead`): a 3×3
// conv shared over the pyramid, then per anchor an objectness logit and the six midpoint-offset
// deltas (Δx, Δy, Δw, Δh, Δα, Δβ). Parameter names follow mmrotate (`rpn_conv`, `rpn_cls`,
// `rpn_reg`), weights in PyTorch layout [out, in, kh, kw].
import * as tf from '@tensorflow/tfjs';
import { Module, init, type Rng } from '@babelrs/core';

/** A 2-D convolution over NHWC maps with a PyTorch-layout weight [out, in, k, k], stride 1, 'same'. */
export class OrientedRpnConv extends Module {
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    rng: Rng,
  ) {
    super();
    // mmdet RPN init: normal(0, 0.01), zero bias.
    this.registerParameter('weight', init.normal([outChannels, inChannels, kernel, kernel], 0, 0.01, rng));
    this.registerParameter('bias', init.zeros([outChannels]));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const w = this.getParameter('weight').transpose([2, 3, 1, 0]) as tf.Tensor4D; // [k, k, in, out]
      return tf.conv2d(x, w, 1, 'same').add(this.getParameter('bias')) as tf.Tensor4D;
    });
  }
}

export interface OrientedRpnOutput {
  /** Objectness logits per level, [B, H, W, A]. */
  cls: tf.Tensor4D[];
  /** Midpoint-offset deltas per level, [B, H, W, A·6]. */
  reg: tf.Tensor4D[];
}

export class OrientedRpn extends Module {
  readonly numAnchors: number;

  constructor(opts: { inChannels: number; featChannels: number; numAnchors: number; rng: Rng }) {
    super();
    this.numAnchors = opts.numAnchors;
    this.registerModule('rpn_conv', new OrientedRpnConv(opts.inChannels, opts.featChannels, 3, opts.rng));
    this.registerModule('rpn_cls', new OrientedRpnConv(opts.featChannels, opts.numAnchors, 1, opts.rng));
    this.registerModule('rpn_reg', new OrientedRpnConv(opts.featChannels, opts.numAnchors * 6, 1, opts.rng));
  }

  forward(levels: readonly tf.Tensor4D[]): OrientedRpnOutput {
    const cls: tf.Tensor4D[] = [];
    const reg: tf.Tensor4D[] = [];
    for (const x of levels) {
      const [c, r] = tf.tidy(() => {
        const t = tf.relu(this.getModule<OrientedRpnConv>('rpn_conv').forward(x)) as tf.Tensor4D; // [B, H, W, F]
        return [this.getModule<OrientedRpnConv>('rpn_cls').forward(t), this.getModule<OrientedRpnConv>('rpn_reg').forward(t)];
      });
      cls.push(c);
      reg.push(r);
    }
    return { cls, reg };
  }
}
