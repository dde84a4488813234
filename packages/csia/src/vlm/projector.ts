// The CSIA projector from fused ViT tokens into the LM's embedding space. InternVL's `mlp1`:
// pixel shuffle (scale 0.5: 2×2 tokens → 1 token of 4C) → LayerNorm(4C) → Linear(4C → d) → GELU
// → Linear(d → d), parameter names `0.*`, `1.*`, `3.*` (index 2 is the GELU), so `mlp1.*` keys of
// an InternVL checkpoint load by name. The plain option is LLaVA's mlp2x_gelu (`0.*`, `2.*`).
import * as tf from '@tensorflow/tfjs';
import { LayerNorm, Linear, Module, Rng, gelu } from '@babelrs/core';
import { CsiaInputError } from '../errors.js';
import { pixelShuffle } from '../pixel-shuffle.js';

export type ProjectorConfig =
  /** InternVL: pixel shuffle → LayerNorm → Linear → GELU → Linear (`0`, `1`, `3`). */
  | { type: 'pixel-shuffle-mlp'; scale?: number }
  /** LLaVA mlp2x_gelu: Linear → GELU → Linear on every token (`0`, `2`). */
  | { type: 'mlp' };

export class Projector extends Module {
  readonly scale: number;

  constructor(
    readonly config: ProjectorConfig,
    readonly inChannels: number,
    readonly outChannels: number,
    opts: { seed?: number } = {},
  ) {
    super();
    const rng = new Rng(opts.seed ?? 0);
    if (config.type === 'pixel-shuffle-mlp') {
      this.scale = config.scale ?? 0.5;
      const wide = Math.round(inChannels / (this.scale * this.scale));
      this.registerModule('0', new LayerNorm(wide, { eps: 1e-5 }));
      this.registerModule('1', new Linear(wide, outChannels, { rng }));
      this.registerModule('3', new Linear(outChannels, outChannels, { rng }));
    } else if (config.type === 'mlp') {
      this.scale = 1;
      this.registerModule('0', new Linear(inChannels, outChannels, { rng }));
      this.registerModule('2', new Linear(outChannels, outChannels, { rng }));
    } else {
      throw new CsiaInputError(`projector type "${(config as { type: string }).type}" is unknown (pixel-shuffle-mlp, mlp)`);
    }
  }

  /** Visual tokens per image for a ViT grid. */
  tokensFor(grid: [number, number]): number {
    return Math.round(grid[0] * grid[1] * this.scale * this.scale);
  }

  /** tokens [B, gh·gw, C] → [B, gh·gw·s², outChannels]. */
  forward(tokens: tf.Tensor3D, grid: [number, number]): tf.Tensor3D {
    if (tokens.shape[2] !== this.inChannels) throw new CsiaInputError(`projector expects ${this.inChannels} channels, got [${tokens.shape}]`);
    return tf.tidy(() => {
      if (this.config.type === 'mlp') {
        const h = gelu(this.getModule<Linear>('0').forward(tokens));
        return this.getModule<Linear>('2').forward(h) as tf.Tensor3D;
      }
      const shuffled = pixelShuffle(tokens, grid[0], grid[1], this.scale); // [B, N·s², C/s²]
      const normed = this.getModule<LayerNorm>('0').forward(shuffled);
      const h = gelu(this.getModule<Linear>('1').forward(normed));
      return this.getModule<Linear>('3').forward(h) as tf.Tensor3D;
    });
  }
}
