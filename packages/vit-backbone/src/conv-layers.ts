// The convolution layers of the ViTDet neck, NHWC in and out, with PyTorch weight layouts so
// detectron2 state-dict keys map 1:1. Kernel = stride = 2 transposed convs do not overlap, so
// they are a per-pixel linear map plus a pixel shuffle (exact, and trained by two matMuls);
// 1×1 convs are linear maps; 3×3 convs use tf.conv2d (on wasm its filter gradient is the
// Conv2DBackpropFilter that @babelrs/core registers).
import * as tf from '@tensorflow/tfjs';
import { init, LayerNorm, linear, Module, type Rng } from '@babelrs/core';
import { VitShapeError } from './errors.js';

function checkNhwc(x: tf.Tensor, channels: number, layer: string): void {
  if (x.rank !== 4 || x.shape[3] !== channels) {
    throw new VitShapeError(`${layer}: expected an NHWC map [B, H, W, ${channels}], got [${x.shape.join(', ')}]`);
  }
}

/** torch ConvTranspose2d(in, out, kernel_size=2, stride=2): weight [in, out, 2, 2], bias [out]. */
export class ConvTranspose2x2 extends Module {
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    rng?: Rng,
  ) {
    super();
    // torch's default init: U(±1/√fan_in), fan_in of a ConvTranspose weight = out·k·k (dim 1).
    const bound = 1 / Math.sqrt(outChannels * 4);
    this.registerParameter('weight', init.uniform([inChannels, outChannels, 2, 2], -bound, bound, rng));
    this.registerParameter('bias', init.uniform([outChannels], -bound, bound, rng));
  }

  /** x [B, H, W, Cin] → [B, 2H, 2W, Cout]; out[2y+i, 2x+j] = x[y, x] · W[:, :, i, j] + b. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    checkNhwc(x, this.inChannels, 'ConvTranspose2x2');
    const [b, h, w] = x.shape;
    const co = this.outChannels;
    return tf.tidy(() => {
      const wt = tf.transpose(this.getParameter('weight'), [2, 3, 1, 0]); // [i, j, Cout, Cin]
      const w2 = tf.reshape(wt, [4 * co, this.inChannels]); // rows ordered (i, j, co)
      const bias = tf.tile(this.getParameter('bias'), [4]); // [4·Cout]
      const y = linear(x, w2, bias); // [B, H, W, (i, j, co)]
      const rows = tf.reshape(y, [b * h, w, 2, 2 * co]); // [B·H, W, i, (j, co)]
      const shuffled = tf.transpose(rows, [0, 2, 1, 3]); // [B·H, i, W, (j, co)]
      return tf.reshape(shuffled, [b, 2 * h, 2 * w, co]); // [B, 2H, 2W, Cout]
    });
  }
}

/**
 * detectron2 `Conv2d(in, out, k, padding=k//2, bias=False, norm=LayerNorm(out))`: weight
 * [out, in, k, k] and a channel LayerNorm under `norm` (weight, bias). k ∈ {1, 3}.
 */
export class ConvNorm extends Module {
  readonly norm: LayerNorm;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: 1 | 3,
    opts: { eps?: number; rng?: Rng } = {},
  ) {
    super();
    // detectron2's c2_xavier_fill: kaiming_uniform(a=1) = U(±√(3/fan_in)).
    this.registerParameter('weight', init.kaimingUniform([outChannels, inChannels, kernelSize, kernelSize], { a: 1, rng: opts.rng }));
    this.norm = this.registerModule('norm', new LayerNorm(outChannels, { eps: opts.eps ?? 1e-6 }));
  }

  /** x [B, H, W, Cin] → [B, H, W, Cout] (padding keeps the size). */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    checkNhwc(x, this.inChannels, `ConvNorm(${this.kernelSize}×${this.kernelSize})`);
    return tf.tidy(() => {
      const weight = this.getParameter('weight'); // [out, in, k, k]
      let y: tf.Tensor;
      if (this.kernelSize === 1) {
        y = linear(x, tf.reshape(weight, [this.outChannels, this.inChannels])); // [B, H, W, Cout]
      } else {
        const filter = tf.transpose(weight, [2, 3, 1, 0]) as tf.Tensor4D; // [k, k, Cin, Cout]
        y = tf.conv2d(x, filter, 1, 'same'); // odd k, stride 1: 'same' = padding k//2 on each side
      }
      return this.norm.forward(y) as tf.Tensor4D;
    });
  }
}

/** torch MaxPool2d(2, 2) on NHWC; odd trailing rows/columns are dropped (floor), as torch. */
export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  if (h < 2 || w < 2) throw new VitShapeError(`maxPool2x2: map ${h}×${w} is smaller than the 2×2 window`);
  return tf.tidy(() => {
    const even = h % 2 || w % 2 ? tf.slice(x, [0, 0, 0, 0], [-1, h - (h % 2), w - (w % 2), -1]) : x;
    return tf.maxPool(even as tf.Tensor4D, 2, 2, 'valid');
  });
}
