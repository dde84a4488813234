// ViTDet's simple feature pyramid (Li et al. 2022; detectron2 `SimpleFeaturePyramid`): from
// the single stride-p map of a plain ViT, build one map per scale factor
//   4   → deconv 2×2/2, LayerNorm, GELU, deconv 2×2/2      (channels D → D/2 → D/4)
//   2   → deconv 2×2/2                                     (D → D/2)
//   1   → identity
//   0.5 → max-pool 2×2/2
// each followed by a 1×1 conv + LayerNorm and a 3×3 conv + LayerNorm to `outChannels`.
// Parameter names follow detectron2: `simfp_{log2 stride}.{layer index}.…`.
import * as tf from '@tensorflow/tfjs';
import { gelu, LayerNorm, Module, Rng } from '@babelrs/core';
import { ConvNorm, ConvTranspose2x2, maxPool2x2 } from './conv-layers.js';
import { VitShapeError } from './errors.js';

export interface SimpleFeaturePyramidOptions {
  /** Channels D of the ViT map. */
  inChannels: number;
  outChannels: number;
  /** Any of 4, 2, 1, 0.5 (e.g. [4, 2, 1, 0.5] → strides p/4, p/2, p, 2p). */
  scaleFactors: number[];
  /** Stride of the ViT map (its patch size). */
  patchSize: number;
  /** LayerNorm eps (detectron2's channel LayerNorm: 1e-6). */
  layerNormEps?: number;
  seed?: number;
}

/** One pyramid level: the resampling layers, then the two ConvNorms. */
class PyramidLevel extends Module {
  private readonly steps: Array<(x: tf.Tensor4D) => tf.Tensor4D> = [];

  constructor(inChannels: number, outChannels: number, scale: number, eps: number, rng: Rng) {
    super();
    let dim = inChannels;
    let index = 0;
    const add = <M extends Module>(m: M): M => this.registerModule(String(index++), m);
    if (scale === 4) {
      if (inChannels % 4 !== 0) throw new VitShapeError(`SimpleFeaturePyramid: scale 4 needs inChannels divisible by 4, got ${inChannels}`);
      const up1 = add(new ConvTranspose2x2(dim, dim / 2, rng));
      const ln = add(new LayerNorm(dim / 2, { eps }));
      index++; // GELU at index 2 has no parameters (detectron2's nn.GELU slot)
      const up2 = add(new ConvTranspose2x2(dim / 2, dim / 4, rng));
      this.steps.push((x) => up2.forward(gelu(ln.forward(up1.forward(x))) as tf.Tensor4D));
      dim /= 4;
    } else if (scale === 2) {
      if (inChannels % 2 !== 0) throw new VitShapeError(`SimpleFeaturePyramid: scale 2 needs even inChannels, got ${inChannels}`);
      const up = add(new ConvTranspose2x2(dim, dim / 2, rng));
      this.steps.push((x) => up.forward(x));
      dim /= 2;
    } else if (scale === 0.5) {
      index++; // MaxPool2d slot
      this.steps.push(maxPool2x2);
    } else if (scale !== 1) {
      throw new VitShapeError(`SimpleFeaturePyramid: scale factor ${scale} is not supported (use 4, 2, 1 or 0.5)`);
    }
    const lateral = add(new ConvNorm(dim, outChannels, 1, { eps, rng }));
    const output = add(new ConvNorm(outChannels, outChannels, 3, { eps, rng }));
    this.steps.push((x) => lateral.forward(x), (x) => output.forward(x));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.steps.reduce((y, step) => step(y), x));
  }
}

export class SimpleFeaturePyramid extends Module {
  /** Stride (input pixels per map cell) of each output level, finest first. */
  readonly strides: number[];
  /** Scale factors, sorted finest (largest) first. */
  readonly scaleFactors: number[];
  readonly inChannels: number;
  readonly outChannels: number;
  private readonly levels: PyramidLevel[] = [];

  constructor(opts: SimpleFeaturePyramidOptions) {
    super();
    const { inChannels, outChannels, patchSize } = opts;
    for (const [k, v] of Object.entries({ inChannels, outChannels, patchSize })) {
      if (!Number.isInteger(v) || v < 1) throw new VitShapeError(`SimpleFeaturePyramid: ${k} must be a positive integer, got ${v}`);
    }
    if (opts.scaleFactors.length === 0) throw new VitShapeError('SimpleFeaturePyramid: scaleFactors is empty');
    if (new Set(opts.scaleFactors).size !== opts.scaleFactors.length) {
      throw new VitShapeError(`SimpleFeaturePyramid: scaleFactors [${opts.scaleFactors.join(', ')}] has duplicates`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.scaleFactors = [...opts.scaleFactors].sort((a, b) => b - a);
    this.strides = this.scaleFactors.map((s) => patchSize / s);
    const rng = new Rng(opts.seed ?? 0);
    const eps = opts.layerNormEps ?? 1e-6;
    this.scaleFactors.forEach((scale, i) => {
      // detectron2: stage = int(math.log2(stride)); names simfp_2 … simfp_5 for patch 16.
      const name = `simfp_${Math.floor(Math.log2(this.strides[i]))}`;
      this.levels.push(this.registerModule(name, new PyramidLevel(inChannels, outChannels, scale, eps, rng)));
    });
  }

  /** map [B, gh, gw, D] (NHWC) → one NHWC map per level, finest first: [B, gh·s, gw·s, outChannels]. */
  forward(map: tf.Tensor4D): tf.Tensor4D[] {
    if (map.rank !== 4 || map.shape[3] !== this.inChannels) {
      throw new VitShapeError(`SimpleFeaturePyramid: expected an NHWC map [B, gh, gw, ${this.inChannels}], got [${map.shape.join(', ')}]`);
    }
    return tf.tidy(() => this.levels.map((level) => level.forward(map)));
  }
}
