// @babelrs/vit-backbone: Vision Transformer building blocks (patch embedding as patchify,
// position-embedding resampling, architecture presets). The full ViT is planned (README).
export { VitShapeError } from './errors.js';
export { patchify } from './patchify.js';
export { interpolatePosEmbed, bicubicResizeGrid } from './pos-embed.js';
export type { Grid, ResampleOptions } from './pos-embed.js';
export { VIT_PRESETS, vitPreset, patchGrid } from './presets.js';
export type { VitPreset, VitPresetName } from './presets.js';
