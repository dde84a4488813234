/**
 * Drives one training stage step by step: resume from the stage's newest verified checkpoint,
 * a checkpoint every `checkpointEvery` steps and at the end, every step's telemetry into the
 * event log and the progress bar, Ctrl-C → checkpoint at the step boundary + InterruptedError,
 * and the non-finite-loss policy: an fp16 overflow is the loss scaler's business (the step is
 * skipped, the scale backs off); `nanPatience` consecutive non-finite losses whose step was NOT
 * skipped stop the run with the last good checkpoint left intact (no checkpoint is ever written
 * from non-finite weights).
 */
import { tf } from '@babelrs/core';
import { InterruptedError, TrainingStoppedError } from '../errors.js';
import { CheckpointStore } from './checkpoint-store.js';
import type { EventLog } from './event-log.js';
import { StageProgress, type ProgressOptions } from './progress.js';
import type { StageSession, StepRecord } from './stage-session.js';
import type { StopSignal } from './stop-signal.js';

export interface StageRunOptions {
  store: CheckpointStore;
  events: EventLog;
  checkpointEvery: number;
  nanPatience: number;
  /** Continue from the newest checkpoint in `store` (when there is one). */
  resume?: boolean;
  stop?: StopSignal;
  progress?: ProgressOptions;
  /** Called after each step (tests, reports). */
  onStep?: (rec: StepRecord) => void;
}

export interface StageRunResult {
  steps: number;
  /** Step the run resumed from (0 when it started fresh). */
  resumedFrom: number;
  history: StepRecord[];
  lastCheckpoint: string | undefined;
  seconds: number;
}

export async function runStage(session: StageSession, opts: StageRunOptions): Promise<StageRunResult> {
  const t0 = performance.now();
  const { store, events } = opts;
  let resumedFrom = 0;
  let lastCheckpoint: string | undefined;
  if (opts.resume) {
    const ck = store.loadLatest();
    if (ck !== undefined) {
      try {
        session.restore(ck.snapshot, ck.path);
      } finally {
        tf.dispose(Object.values(ck.snapshot.tensors));
      }
      resumedFrom = ck.step;
      lastCheckpoint = ck.path;
      events.retain((e) => e.stage !== session.stage || e.type !== 'step' || (e.step ?? 0) < ck.step);
      events.write({ type: 'resume', stage: session.stage, step: ck.step, path: ck.path });
    }
  }
  if (session.step >= session.totalSteps) return { steps: session.step, resumedFrom, history: [], lastCheckpoint, seconds: 0 };
  events.write({ type: 'stage-start', stage: session.stage, step: session.step, totalSteps: session.totalSteps, precision: session.precision });
  const progress = new StageProgress(session.stage, session.totalSteps, session.step, opts.progress);
  const history: StepRecord[] = [];
  const startStep = session.step;
  let badRun: number[] = [];
  const save = async () => {
    const snap = await session.snapshot();
    try {
      if (!snapshotFinite(snap.tensors)) return; // never replace a good checkpoint with broken weights
      lastCheckpoint = store.save(session.step, snap);
      events.write({ type: 'checkpoint', stage: session.stage, step: session.step, path: lastCheckpoint });
    } finally {
      tf.dispose(Object.values(snap.tensors));
    }
  };
  try {
    while (session.step < session.totalSteps) {
      // Let signal handlers run: tfjs steps block the event loop.
      await new Promise((r) => setImmediate(r));
      if (opts.stop?.requested !== undefined) {
        if (badRun.length === 0 && session.step > startStep) await save();
        events.write({ type: 'interrupted', stage: session.stage, step: session.step, signal: opts.stop.requested, checkpoint: lastCheckpoint });
        throw new InterruptedError(`${session.stage}: interrupted at step ${session.step}/${session.totalSteps}; checkpoint ${lastCheckpoint ?? '(none yet)'}; continue with --resume`);
      }
      const rec = await session.runStep();
      history.push(rec);
      events.write({ type: 'step', stage: session.stage, ...rec });
      progress.update(rec);
      opts.onStep?.(rec);
      if (!Number.isFinite(rec.loss) && !rec.skipped) badRun.push(rec.step);
      else badRun = [];
      if (badRun.length >= opts.nanPatience) {
        const msg = `${session.stage}: loss is ${rec.loss} for ${badRun.length} consecutive steps (steps ${badRun[0] + 1}–${rec.step + 1}, precision ${session.precision}); stopped. Last good checkpoint: ${lastCheckpoint ?? 'none'}`;
        events.write({ type: 'stopped', stage: session.stage, step: session.step, reason: msg });
        throw new TrainingStoppedError(msg);
      }
      if (badRun.length === 0 && (session.step % opts.checkpointEvery === 0 || session.step === session.totalSteps)) await save();
    }
  } finally {
    progress.stop();
  }
  events.write({ type: 'stage-end', stage: session.stage, step: session.step });
  return { steps: session.step, resumedFrom, history, lastCheckpoint, seconds: (performance.now() - t0) / 1000 };
}

function snapshotFinite(tensors: Record<string, tf.Tensor>): boolean {
  for (const t of Object.values(tensors)) {
    if (t.dtype !== 'float32') continue;
    const all = tf.tidy(() => tf.all(tf.isFinite(t)));
    const ok = all.dataSync()[0] === 1;
    all.dispose();
    if (!ok) return false;
  }
  return true;
}
