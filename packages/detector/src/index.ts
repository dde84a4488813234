// @babelrs/detector: the multi-modal detector meta-architecture (shared ViT → layer fusion →
// simple feature pyramid → one head per modality), joint fine-tuning (stage 2 of BabelRS),
// evaluation under the SOI-Det protocol and prediction.
export {
  detectorPreset,
  validateDetectorConfig,
  pyramidStrides,
  configuredModalities,
  DetectorConfigError,
  DEFAULT_HEADS,
  DETECTOR_PRESET_NAMES,
} from './config.js';
export type {
  DetectorConfig,
  DetectorBackboneConfig,
  DetectorFusionConfig,
  DetectorNeckConfig,
  DetectorHeadConfig,
  DetectorPresetName,
} from './config.js';
export { labelSpaces, toLocalLabels, type ModalityLabelSpace } from './label-space.js';
export { registerHeadType, createHead, headTypes, type HeadFactory, type HeadFactoryOptions } from './head-registry.js';
export { registerBuiltinHeads } from './builtin-heads.js';
export { MultiModalDetector, type DetectorLosses } from './multi-modal-detector.js';
export { trainPipeline, testPipeline, type PipelineOptions } from './pipelines.js';
export { collateBatch, sortByModality, modalityGroups, headTargets, boxesForHead, type DetectorBatch, type ModalityGroup } from './batch.js';
export { resolveSamples, type DetectionData } from './detection-data.js';
export {
  fineTune,
  buildOptimizer,
  buildSchedule,
  loadBackboneCheckpoint,
  FineTuneDivergedError,
  type FineTuneOptions,
  type FineTuneOptimizerOptions,
  type FineTuneScheduleOptions,
  type FineTuneResult,
  type FineTuneState,
  type FineTuneStepInfo,
} from './fine-tune.js';
export { saveFineTuneState, loadFineTuneState } from './fine-tune-state.js';
export { evaluate, type EvaluateOptions, type EvaluateResult } from './evaluate.js';
export { runInference, toOriginal, type InferenceOptions } from './inference.js';
export { predict, type PredictInput, type PredictOptions, type Prediction } from './predict.js';
export { scoreDetections, protocolFor, type DetectionScores, type ModalityScore, type ClassScore, type ModalityResults } from './scoring.js';
export {
  cocoResultsJson,
  cocoGroundTruthJson,
  dotaTask1Files,
  writeCocoResults,
  writeDotaTask1,
  imageStem,
  type ImageDetections,
} from './result-files.js';
