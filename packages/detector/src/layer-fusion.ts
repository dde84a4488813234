// The detector's view of `@babelrs/lvsa`'s layer fusion: built from the config; its output
// width is the neck's input width (C for most variants, |S|·C for concat).
import type * as tf from '@tensorflow/tfjs';
import { createLayerFusion, type FusionConfig, type LayerFusion } from '@babelrs/lvsa';
import type { DetectorConfig } from './config.js';

export interface DetectorFusion {
  /** The fusion Module (per-layer projectors hold parameters; the others none). */
  module: LayerFusion;
  /** Channels of the fused tokens. */
  outChannels: number;
  /** features: each [B, N, D], last block last → [B, N, outChannels]. */
  fuse(features: readonly tf.Tensor[], step: number): tf.Tensor3D;
}

/** Builds the config's fusion over `layers.length` taps of width `backbone.embedDim`. */
export function buildFusion(config: Pick<DetectorConfig, 'fusion' | 'layers' | 'backbone' | 'seed'>): DetectorFusion {
  const cfg = config.fusion.name === 'per-layer-projectors' ? 'per-layer-projectors' : (config.fusion as FusionConfig);
  const module = createLayerFusion(cfg, { channels: config.backbone.embedDim, numLayers: config.layers.length, seed: (config.seed ?? 0) + 500 });
  return { module, outChannels: module.outChannels, fuse: (features, step) => module.fuse(features, step) as tf.Tensor3D };
}
