// The architecture of a ViT as plain data. A `VitPreset` (presets.ts) is a valid config.
import { VitShapeError } from './errors.js';

export interface VitConfig {
  /** Token width D. */
  embedDim: number;
  depth: number;
  numHeads: number;
  /** Hidden width of each block's MLP. */
  mlpHiddenDim: number;
  patchSize: number;
  /** Square input size in pixels that `pos_embed` is laid out for (grid imgSize/patchSize). */
  imgSize: number;
  inChannels: number;
  qkvBias: boolean;
  /** 0 or 1: whether a class token is prepended. */
  numPrefixTokens: number;
  layerNormEps: number;
  /** Initial LayerScale value (ls1/ls2), or null for blocks without LayerScale. */
  layerScaleInit: number | null;
  /** Stochastic-depth rate of the LAST block; block i gets rate·i/(depth−1), as timm. Default 0. */
  dropPathRate?: number;
  /**
   * Whether the model has timm's final `norm` (applied by `forwardFeatures` only; taps are
   * taken before it). InternViT has none. Default true.
   */
  finalNorm?: boolean;
  /**
   * Bicubic resampling of `pos_embed` to another input grid with antialias (timm's default
   * in `resample_abs_pos_embed`) or without (InternViT's `_get_pos_embed`). Default false.
   */
  posEmbedAntialias?: boolean;
}

function positiveInt(cfg: VitConfig, key: keyof VitConfig): void {
  const v = cfg[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new VitShapeError(`ViT config: ${key} must be a positive integer, got ${JSON.stringify(v)}`);
  }
}

/** Throws a `VitShapeError` naming the first field that does not make a valid ViT. */
export function validateVitConfig(cfg: VitConfig): void {
  for (const key of ['embedDim', 'depth', 'numHeads', 'mlpHiddenDim', 'patchSize', 'imgSize', 'inChannels'] as const) positiveInt(cfg, key);
  if (cfg.embedDim % cfg.numHeads !== 0) throw new VitShapeError(`ViT config: embedDim ${cfg.embedDim} is not divisible by numHeads ${cfg.numHeads}`);
  if (cfg.imgSize % cfg.patchSize !== 0) throw new VitShapeError(`ViT config: imgSize ${cfg.imgSize} is not a multiple of patchSize ${cfg.patchSize}`);
  if (cfg.numPrefixTokens !== 0 && cfg.numPrefixTokens !== 1) {
    throw new VitShapeError(`ViT config: numPrefixTokens must be 0 or 1 (class token), got ${cfg.numPrefixTokens}`);
  }
  if (!(cfg.layerNormEps > 0)) throw new VitShapeError(`ViT config: layerNormEps must be > 0, got ${cfg.layerNormEps}`);
  if (cfg.layerScaleInit !== null && !Number.isFinite(cfg.layerScaleInit)) {
    throw new VitShapeError(`ViT config: layerScaleInit must be a number or null, got ${cfg.layerScaleInit}`);
  }
  const dp = cfg.dropPathRate ?? 0;
  if (!(dp >= 0 && dp < 1)) throw new VitShapeError(`ViT config: dropPathRate must be in [0, 1), got ${dp}`);
}
