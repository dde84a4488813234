// Every fusion variant of the paper's ablation behind one Module interface, chosen by config:
// `createLayerFusion(config, { channels, numLayers, outChannels? })`. The parameter-free
// strategies of fusion.ts are wrapped; 'per-layer-projectors' owns one Linear per layer.
import * as tf from '@tensorflow/tfjs';
import { Linear, Module, ModuleList, Rng } from '@babelrs/core';
import { checkFeatures, createFusion, type FusionConfig, type FusionName, type FusionStrategy } from './fusion.js';
import { LvsaConfigError } from './errors.js';

export type LayerFusionName = FusionName | 'per-layer-projectors';

export interface LayerFusionShape {
  /** Width C of each tapped feature. */
  channels: number;
  /** |S|: how many tapped features `fuse` receives (F_L last). */
  numLayers: number;
  /**
   * Output width. 'per-layer-projectors': the projectors' width (default `channels`). Other
   * variants: when given and different from the variant's natural width (C, or |S|·C for
   * concat), a Linear `proj` maps the fused feature to it; otherwise no parameters.
   */
  outChannels?: number;
  /** Seed of the projector initialisation. */
  seed?: number;
}

/** A fusion of per-layer ViT features: `fuse(features [each B, N, C; F_L last], step) → [B, N, outChannels]`. */
export abstract class LayerFusion extends Module {
  abstract readonly name: LayerFusionName;
  readonly channels: number;
  readonly numLayers: number;
  abstract readonly outChannels: number;

  constructor(shape: LayerFusionShape) {
    super();
    for (const key of ['channels', 'numLayers'] as const) {
      const v = shape[key];
      if (!Number.isInteger(v) || v < 1) throw new LvsaConfigError(`createLayerFusion: ${key} must be a positive integer, got ${v}`);
    }
    if (shape.outChannels !== undefined && (!Number.isInteger(shape.outChannels) || shape.outChannels < 1)) {
      throw new LvsaConfigError(`createLayerFusion: outChannels must be a positive integer, got ${shape.outChannels}`);
    }
    this.channels = shape.channels;
    this.numLayers = shape.numLayers;
  }

  abstract fuse(features: readonly tf.Tensor[], step: number): tf.Tensor;

  /** Same checks for every variant: |S| features of identical shape [..., C]. */
  protected checkInputs(features: readonly tf.Tensor[]): void {
    if (features.length !== this.numLayers) {
      throw new LvsaConfigError(`fusion '${this.name}': got ${features.length} layer features, built for ${this.numLayers}`);
    }
    const shape = checkFeatures(this.name, features);
    if (shape[shape.length - 1] !== this.channels) {
      throw new LvsaConfigError(`fusion '${this.name}': features have ${shape[shape.length - 1]} channels ([${shape.join(', ')}]), built for ${this.channels}`);
    }
  }
}

/** 'last' | 'concat' | 'sum' | 'mean' | 'lvsa', with an optional output projection `proj`. */
class StrategyFusion extends LayerFusion {
  readonly name: FusionName;
  readonly outChannels: number;
  private readonly proj: Linear | null;

  constructor(
    private readonly strategy: FusionStrategy,
    shape: LayerFusionShape,
  ) {
    super(shape);
    this.name = strategy.name;
    const natural = strategy.outChannels(shape.channels, shape.numLayers);
    this.outChannels = shape.outChannels ?? natural;
    this.proj =
      this.outChannels === natural
        ? null
        : this.registerModule('proj', new Linear(natural, this.outChannels, { init: 'trunc_normal', std: 0.02, rng: new Rng(shape.seed ?? 0) }));
  }

  fuse(features: readonly tf.Tensor[], step: number): tf.Tensor {
    this.checkInputs(features);
    if (!this.proj) return this.strategy.fuse(features, step);
    return tf.tidy(() => (this.proj as Linear).forward(this.strategy.fuse(features, step))); // [B, N, out]
  }
}

/**
 * The ablation's per-layer projectors: `projectors.i` = Linear(C → out) for the i-th tapped
 * layer (PyTorch weight layout), outputs averaged: F̃ = mean_i (F_i·W_iᵀ + b_i).
 */
export class PerLayerProjectorsFusion extends LayerFusion {
  readonly name = 'per-layer-projectors' as const;
  readonly outChannels: number;
  readonly projectors: ModuleList<Linear>;

  constructor(shape: LayerFusionShape) {
    super(shape);
    this.outChannels = shape.outChannels ?? shape.channels;
    const rng = new Rng(shape.seed ?? 0);
    this.projectors = this.registerModule('projectors', new ModuleList<Linear>());
    for (let i = 0; i < shape.numLayers; i++) {
      this.projectors.append(new Linear(shape.channels, this.outChannels, { init: 'trunc_normal', std: 0.02, rng }));
    }
  }

  fuse(features: readonly tf.Tensor[], _step: number): tf.Tensor {
    this.checkInputs(features);
    return tf.tidy(() => {
      const projected = features.map((f, i) => this.projectors.at(i).forward(f)); // each [B, N, out]
      return tf.div(tf.addN(projected), features.length); // [B, N, out]
    });
  }
}

/** A `LayerFusion` by config (or name), for features of width `channels` from `numLayers` taps. */
export function createLayerFusion(config: FusionConfig | LayerFusionName, shape: LayerFusionShape): LayerFusion {
  const cfg = typeof config === 'string' ? ({ name: config } as FusionConfig) : config;
  if (cfg.name === 'per-layer-projectors') return new PerLayerProjectorsFusion(shape);
  return new StrategyFusion(createFusion(cfg), shape);
}
