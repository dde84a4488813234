// Patch embedding with timm's names: `patch_embed.proj.weight` [D, C, p, p] (PyTorch Conv2d
// layout) and `patch_embed.proj.bias` [D]. Computed as patchify + linear, the same math as a
// stride-p conv, but its backward pass is two plain matMuls (fast on wasm).
import * as tf from '@tensorflow/tfjs';
import { init, linear, Module, type Rng } from '@babelrs/core';
import { VitShapeError } from './errors.js';
import { patchify } from './patchify.js';

/** Holds the conv-layout weight and bias (the `proj` of timm's PatchEmbed). */
export class PatchProjection extends Module {
  constructor(embedDim: number, inChannels: number, patchSize: number, rng?: Rng) {
    super();
    // torch Conv2d default init: U(±1/√fan_in) for weight and bias (timm keeps it for ViT).
    const bound = 1 / Math.sqrt(inChannels * patchSize * patchSize);
    this.registerParameter('weight', init.uniform([embedDim, inChannels, patchSize, patchSize], -bound, bound, rng));
    this.registerParameter('bias', init.uniform([embedDim], -bound, bound, rng));
  }
}

export class PatchEmbed extends Module {
  readonly proj: PatchProjection;

  constructor(
    readonly embedDim: number,
    readonly inChannels: number,
    readonly patchSize: number,
    rng?: Rng,
  ) {
    super();
    this.proj = this.registerModule('proj', new PatchProjection(embedDim, inChannels, patchSize, rng));
  }

  /** images [B, C, H, W] → tokens [B, (H/p)·(W/p), D] and the grid [H/p, W/p]. */
  forward(images: tf.Tensor4D): { tokens: tf.Tensor3D; grid: [number, number] } {
    if (images.rank !== 4 || images.shape[1] !== this.inChannels) {
      throw new VitShapeError(`PatchEmbed: expected images [B, ${this.inChannels}, H, W], got [${images.shape.join(', ')}]`);
    }
    const p = this.patchSize;
    const grid: [number, number] = [images.shape[2] / p, images.shape[3] / p];
    const tokens = tf.tidy(() => {
      const patches = patchify(images, p); // [B, N, C·p·p] (throws if p does not divide H, W)
      const w = tf.reshape(this.proj.getParameter('weight'), [this.embedDim, this.inChannels * p * p]); // [D, C·p·p]
      return linear(patches, w, this.proj.getParameter('bias')) as tf.Tensor3D; // [B, N, D]
    });
    return { tokens, grid };
  }
}
