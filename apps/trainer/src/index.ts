// @babelrs/trainer — the `babelrs` CLI and its programmatic API. Today: `info` and the demo job
// (the smallest real end-to-end run); stage 1, stage 2, eval, predict and ablate are planned.
export const PACKAGE_NAME = '@babelrs/trainer';

export { runCli, EXIT_USAGE, type CliIo } from './main.js';
export { CliUsageError, parseDemoOptions, type DemoCliOptions } from './commands/demo.js';
export { infoCommand, type InfoOptions } from './commands/info.js';
export { runDemo, DEMO_DEFAULTS, type DemoOptions, type DemoResult } from './demo/run-demo.js';
export { DEMO_NOT_RUN, DEMO_REPORT_KIND, DEMO_REPORT_VERSION, DEMO_WHAT_RAN, formatDemoSummary, type DemoReport } from './demo/demo-report.js';
export { buildConceptVocabulary, type ConceptVocabulary } from './demo/concept-vocabulary.js';
export { CROP_CHANNELS, buildCropDataset, cropResize, objectHbbs, type CropDataset, type CropDatasetOptions, type CropItem } from './demo/crop-dataset.js';
export { ConceptClassifier, SharedEncoder, type ConceptClassifierOptions } from './demo/concept-classifier.js';
export { trainConceptClassifier, makeBatch, softmaxCrossEntropy, type TrainOptions, type TrainResult } from './demo/train-loop.js';
export { DEMO_PROTOCOLS, ORACLE_BOX_LABEL, evaluatePredictions, predictProbabilities, type DemoEvaluation, type OracleBoxModality } from './demo/evaluate.js';
export { ensureMiniSoi, MINI_SOI_MANIFEST, type DemoDataResult } from './demo/demo-data.js';
export { ProgressLine, formatProgress, type ProgressLineOptions } from './demo/progress-line.js';
