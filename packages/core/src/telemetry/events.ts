/**
 * Structured training events. One stream feeds a progress bar, a JSONL log and an HTML report,
 * so every field a consumer needs is in the event (units in the names).
 */
export interface StepEvent {
  type: 'step';
  step: number;
  epoch?: number;
  /** Unscaled loss (NaN/Inf kept: a blow-up must be visible). */
  loss: number;
  /** Per-task / per-modality losses, e.g. { sar: 0.4, rgb: 0.7 }. */
  losses?: Record<string, number>;
  /** Global gradient norm before clipping; null when not computed. */
  gradNorm: number | null;
  /** Dynamic loss scale used this step (1 without scaling). */
  lossScale: number;
  /** Gradients held Inf/NaN. */
  overflow: boolean;
  /** The optimizer step was not applied. */
  skipped: boolean;
  lr: number;
  stepMs: number;
  samples?: number;
}

export interface EpochEvent {
  type: 'epoch';
  epoch: number;
  step: number;
  durationMs?: number;
  metrics?: Record<string, number>;
}

export interface EvalEvent {
  type: 'eval';
  step: number;
  /** e.g. { mAP: 0.51, AP50: 0.81, 'mAP/sar': 0.63 } */
  metrics: Record<string, number>;
  split?: string;
}

export interface LogEvent {
  type: 'log';
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  step?: number;
}

export interface CheckpointEvent {
  type: 'checkpoint';
  step: number;
  path: string;
  bytes?: number;
  best?: boolean;
}

export type TelemetryPayload = StepEvent | EpochEvent | EvalEvent | LogEvent | CheckpointEvent;

/** An event as delivered: payload plus wall-clock time (ISO 8601) and optional run id. */
export type TelemetryEvent = TelemetryPayload & { time: string; run?: string };

export type TelemetryEventType = TelemetryPayload['type'];

export const TELEMETRY_EVENT_TYPES: readonly TelemetryEventType[] = ['step', 'epoch', 'eval', 'log', 'checkpoint'];
