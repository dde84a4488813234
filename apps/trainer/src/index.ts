// @babelrs/trainer — the `babelrs` CLI and its programmatic API: configs (YAML + presets, zod),
// the run folder (checkpoints, event log, exact resume), the two-stage pipeline on
// @babelrs/csia and @babelrs/detector, the HTML report and ablations.
export const PACKAGE_NAME = '@babelrs/trainer';

export { runCli, type CliIo } from './main.js';
export { EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_TRAINING, EXIT_INTERRUPTED, UsageError, InputError, TrainingStoppedError, InterruptedError, exitCodeOf, oneLine } from './errors.js';
export { loadConfig, configToYaml, type ConfigSource } from './config/load-config.js';
export { PRESETS, PRESET_NAMES, DEFAULT_PRESET } from './config/presets.js';
export { runConfigSchema, FUSIONS, HEAD_TYPES, type RunConfig, type Fusion, type HeadType } from './config/schema.js';
export { prepareRunData, loadSamples, countSamples, type RunData } from './data/run-data.js';
export { ensureMiniSoi, MINI_SOI_MANIFEST, type MiniSoiDataResult } from './data/mini-soi-data.js';
export { CheckpointStore, loadCheckpointDir, CHECKPOINT_FORMAT, type CheckpointState, type LoadedCheckpoint } from './run/checkpoint-store.js';
export { EventLog, readEvents, type RunEvent } from './run/event-log.js';
export { LoopBridge, type LoopHooks } from './run/loop-bridge.js';
export { snapshotParts, restoreParts, type TrainingParts } from './run/module-snapshot.js';
export { prepareOutDir } from './run/out-dir.js';
export { RunDir, type RunState, type RunStatus } from './run/run-dir.js';
export { runStage, type StageRunOptions, type StageRunResult } from './run/stage-runner.js';
export type { StageSession, StageSnapshot, StepRecord, StageName } from './run/stage-session.js';
export { StopSignal } from './run/stop-signal.js';
export { StageProgress, type ProgressOptions } from './run/progress.js';
export { runPipeline, type PipelineOptions, type PipelineResult, type RunMetrics, type StageSummary } from './pipeline/run-pipeline.js';
export { FineTuneSession, createDetector, detectorConfigOf, evaluateDetector, type EvalSummary, type ModalityMetrics } from './pipeline/stage-adapter.js';
export { buildHtmlReport, buildCharts, type ChartSpec } from './report/html-report.js';
export { drawDetectionsPng } from './report/draw-detections.js';
export { formatEvalTable, formatComparison } from './report/summary-table.js';
export { parseAxis, variantsOf, ablationMarkdown, ablationCsv, type AblationAxis, type AblationVariant, type AblationRow } from './ablate/ablation-matrix.js';
export { infoCommand, type InfoOptions } from './commands/info.js';
