/**
 * What the run machinery (checkpoints, resume, Ctrl-C, NaN policy, progress, event log) needs
 * from a training stage, whatever trains: one optimizer step at a time, and a full snapshot of
 * the state that decides the next steps (weights, optimizer moments, loss scaler, RNG, data
 * cursor). The adapter (`pipeline/stage-adapter.ts`) builds sessions from @babelrs/csia and
 * @babelrs/detector.
 */
import type { tf } from '@babelrs/core';

export type StageName = 'pretrain' | 'finetune' | 'baseline';

/** One step's telemetry (core's `StepEvent` fields plus the stage's own, e.g. LVSA α). */
export interface StepRecord {
  step: number;
  /** Unscaled total loss; NaN/Inf kept so a blow-up is visible. */
  loss: number;
  /** Per-head / per-modality losses, e.g. { sar: 0.4, rgb: 0.7, ir: 0.9 }. */
  losses: Record<string, number>;
  gradNorm: number | null;
  lossScale: number;
  overflow: boolean;
  skipped: boolean;
  lr: number;
  stepMs: number;
  /** Images in the batch (for img/s). */
  samples: number;
  /** LVSA α(t) used this step (pretraining). */
  alpha?: number;
}

/** JSON-able state + named tensors; the receiver of a snapshot disposes its tensors. */
export interface StageSnapshot {
  tensors: Record<string, tf.Tensor>;
  state: Record<string, unknown>;
}

export interface StageSession {
  readonly stage: StageName;
  readonly totalSteps: number;
  /** Steps completed so far (the next step's index). */
  readonly step: number;
  readonly precision: 'fp32' | 'fp16' | 'bf16';
  runStep(): Promise<StepRecord> | StepRecord;
  /** The state after the last step (may have to fetch it first, e.g. from worker threads). */
  snapshot(): StageSnapshot | Promise<StageSnapshot>;
  /** Restores a snapshot; a tensor whose name or shape does not fit → InputError naming it. */
  restore(snapshot: StageSnapshot, source: string): void;
  /** Ends the stage (lets a library loop return) and frees what the session owns. */
  close(): Promise<void>;
}
