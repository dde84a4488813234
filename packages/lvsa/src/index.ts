// @babelrs/lvsa: Layerwise Visual-Semantic Annealing (BabelRS) — α(t) schedules, layer
// selection and the fusion variants of the paper's ablation (parameter-free strategies and
// the LayerFusion modules, per-layer projectors included).
export { LvsaConfigError } from './errors.js';
export { DEFAULT_LVSA_TAU, lvsaAlpha, lvsaAlphaCosine, alphaAt } from './alpha-schedule.js';
export type { AlphaRamp, AlphaSchedule } from './alpha-schedule.js';
export { PAPER_LAYERS_ONE_BASED, PAPER_DEPTH, scalePaperLayers, validateLayerSet, selectLayers } from './layer-selection.js';
export type { LayerSpec } from './layer-selection.js';
export {
  lastLayerFusion,
  concatFusion,
  sumFusion,
  meanFusion,
  lvsaFusion,
  createFusion,
} from './fusion.js';
export type { FusionName, FusionStrategy, FusionConfig } from './fusion.js';
export { LayerFusion, PerLayerProjectorsFusion, createLayerFusion } from './layer-fusion.js';
export type { LayerFusionName, LayerFusionShape } from './layer-fusion.js';
