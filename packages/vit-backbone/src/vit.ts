// Vision Transformer (timm `VisionTransformer` / InternViT `InternVisionModel`) as a Module
// whose parameter names are timm's state-dict keys, so `namedParameters()` is a timm
// checkpoint layout and timm / InternViT weights load through a key map (load-weights.ts).
import * as tf from '@tensorflow/tfjs';
import { init, LayerNorm, Module, ModuleList, Rng } from '@babelrs/core';
import { Block } from './block.js';
import { VitShapeError } from './errors.js';
import { PatchEmbed } from './patch-embed.js';
import { resizeGridTokens } from './pos-embed.js';
import { tokensToNchw } from './tokens.js';
import { validateVitConfig, type VitConfig } from './vit-config.js';

export class ViT extends Module {
  readonly config: VitConfig;
  readonly patchEmbed: PatchEmbed;
  readonly blocks: ModuleList<Block>;
  readonly norm: LayerNorm | null;
  /** The grid `pos_embed` is laid out for: [imgSize/patchSize, imgSize/patchSize]. */
  readonly posGrid: [number, number];

  constructor(config: VitConfig, opts: { seed?: number } = {}) {
    super();
    validateVitConfig(config);
    this.config = { ...config };
    const rng = new Rng(opts.seed ?? 0);
    const { embedDim: d, depth } = config;
    const g = config.imgSize / config.patchSize;
    this.posGrid = [g, g];
    // timm init: cls_token N(0, 1e-6), pos_embed trunc_normal(0.02), Linear trunc_normal(0.02).
    if (config.numPrefixTokens === 1) this.registerParameter('cls_token', init.normal([1, 1, d], 0, 1e-6, rng));
    this.registerParameter('pos_embed', init.truncNormal([1, config.numPrefixTokens + g * g, d], { std: 0.02, rng }));
    this.patchEmbed = this.registerModule('patch_embed', new PatchEmbed(d, config.inChannels, config.patchSize, rng));
    const rate = config.dropPathRate ?? 0;
    this.blocks = this.registerModule('blocks', new ModuleList<Block>());
    for (let i = 0; i < depth; i++) {
      this.blocks.append(
        new Block({
          dim: d,
          numHeads: config.numHeads,
          mlpHiddenDim: config.mlpHiddenDim,
          qkvBias: config.qkvBias,
          layerNormEps: config.layerNormEps,
          layerScaleInit: config.layerScaleInit,
          dropPath: depth > 1 ? (rate * i) / (depth - 1) : rate, // timm: linspace(0, rate, depth)
          rng,
        }),
      );
    }
    this.norm = (config.finalNorm ?? true) ? this.registerModule('norm', new LayerNorm(d, { eps: config.layerNormEps })) : null;
  }

  /** Number of prefix (class) tokens before the patch grid. */
  get numPrefixTokens(): number {
    return this.config.numPrefixTokens;
  }

  /**
   * Patch embedding + prefix token + position embedding (resampled when the input grid is
   * not `posGrid`; differentiable, so `pos_embed` trains at any input size).
   * images [B, C, H, W] → tokens [B, prefix + gh·gw, D].
   */
  embed(images: tf.Tensor4D): { tokens: tf.Tensor3D; grid: [number, number] } {
    const { tokens: patches, grid } = this.patchEmbed.forward(images); // [B, N, D]
    const tokens = tf.tidy(() => {
      const [b, , d] = patches.shape;
      const prefix = this.numPrefixTokens;
      const pos = this.getParameter('pos_embed'); // [1, prefix + g·g, D]
      const posGridTokens = tf.slice(pos, [0, prefix, 0], [1, -1, d]) as tf.Tensor3D; // [1, g·g, D]
      const posForInput = resizeGridTokens(posGridTokens, this.posGrid, grid, { antialias: this.config.posEmbedAntialias ?? false }); // [1, N, D]
      const x = tf.add(patches, posForInput); // [B, N, D]
      if (prefix === 0) return x as tf.Tensor3D;
      const cls = tf.add(this.getParameter('cls_token'), tf.slice(pos, [0, 0, 0], [1, prefix, d])); // [1, 1, D]
      return tf.concat([tf.tile(cls, [b, 1, 1]), x], 1) as tf.Tensor3D; // [B, 1 + N, D]
    });
    patches.dispose();
    return { tokens, grid };
  }

  private resolveTaps(taps: readonly number[]): number[] {
    const depth = this.config.depth;
    return taps.map((t) => {
      const i = Number.isInteger(t) && t < 0 ? depth + t : t;
      if (!Number.isInteger(i) || i < 0 || i >= depth) {
        throw new VitShapeError(`ViT.forwardTaps: block index ${t} is out of range for depth ${depth} (valid 0..${depth - 1}, or −1 for the last)`);
      }
      return i;
    });
  }

  /**
   * Grid tokens (prefix removed) after each requested block, in the order given (0-based;
   * negative counts from the end), before the final norm; blocks after the deepest tap are
   * not run. images [B, C, H, W] → taps: each [B, gh·gw, D].
   */
  forwardTaps(images: tf.Tensor4D, taps: readonly number[]): { taps: tf.Tensor3D[]; grid: [number, number] } {
    const indices = this.resolveTaps(taps);
    if (indices.length === 0) throw new VitShapeError('ViT.forwardTaps: no block index requested');
    const last = Math.max(...indices);
    let grid: [number, number] = [0, 0];
    const out = tf.tidy(() => {
      const embedded = this.embed(images);
      grid = embedded.grid;
      let x: tf.Tensor3D = embedded.tokens; // [B, prefix + N, D]
      const after = new Map<number, tf.Tensor3D>();
      for (let i = 0; i <= last; i++) {
        x = this.blocks.at(i).forward(x);
        if (indices.includes(i)) after.set(i, this.stripPrefix(x));
      }
      return indices.map((i) => after.get(i) as tf.Tensor3D);
    });
    return { taps: out, grid };
  }

  /** {@link forwardTaps} as NCHW maps: each [B, D, gh, gw] (ViTDet's input layout). */
  forwardMaps(images: tf.Tensor4D, taps: readonly number[]): { maps: tf.Tensor4D[]; grid: [number, number] } {
    const { taps: tokens, grid } = this.forwardTaps(images, taps);
    const maps = tokens.map((t) => tokensToNchw(t, grid));
    tf.dispose(tokens);
    return { maps, grid };
  }

  /** timm `forward_features`: every block, then the final norm. → [B, prefix + N, D]. */
  forwardFeatures(images: tf.Tensor4D): tf.Tensor3D {
    return tf.tidy(() => {
      let x = this.embed(images).tokens;
      for (const block of this.blocks) x = block.forward(x);
      return (this.norm ? this.norm.forward(x) : x) as tf.Tensor3D;
    });
  }

  /** Drops the prefix tokens: [B, prefix + N, D] → [B, N, D]. */
  stripPrefix(x: tf.Tensor3D): tf.Tensor3D {
    const prefix = this.numPrefixTokens;
    return prefix === 0 ? x : (tf.slice(x, [0, prefix, 0], [-1, -1, -1]) as tf.Tensor3D);
  }
}
