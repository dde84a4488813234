// @babelrs/vit-backbone: a Vision Transformer with timm / InternViT weight names, layer taps,
// and a ViTDet simple feature pyramid; plus its building blocks (patchify, position-embedding
// resampling, presets).
export { VitShapeError, VitWeightError } from './errors.js';
export { patchify } from './patchify.js';
export { interpolatePosEmbed, bicubicResizeGrid, bicubicAxisMatrix, resizeGridTokens } from './pos-embed.js';
export type { Grid, ResampleOptions } from './pos-embed.js';
export { VIT_PRESETS, vitPreset, patchGrid } from './presets.js';
export type { VitPreset, VitPresetName } from './presets.js';
export { validateVitConfig } from './vit-config.js';
export type { VitConfig } from './vit-config.js';
export { ViT } from './vit.js';
export { Block } from './block.js';
export type { BlockOptions } from './block.js';
export { Attention } from './attention.js';
export type { AttentionOptions } from './attention.js';
export { LayerScale } from './layer-scale.js';
export { PatchEmbed, PatchProjection } from './patch-embed.js';
export { tokensToNhwc, tokensToNchw, nhwcToTokens } from './tokens.js';
export { SimpleFeaturePyramid } from './simple-feature-pyramid.js';
export type { SimpleFeaturePyramidOptions } from './simple-feature-pyramid.js';
export { ConvTranspose2x2, ConvNorm, maxPool2x2 } from './conv-layers.js';
export { loadVitWeights, loadVitSafetensors, vitParamName } from './load-weights.js';
export type { VitWeightStyle, LoadVitWeightsOptions, LoadVitWeightsReport } from './load-weights.js';
