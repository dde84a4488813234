/**
 * A stage snapshot from the usual training parts: the model's parameters (`model.<name>`), the
 * optimizer's moments (`optim.<param>/<slot>`) and meta, the loss scaler, an RNG and whatever
 * small JSON state the stage adds (data cursor, step). Restoring checks every name and shape
 * first and reports a mismatch as an InputError naming the checkpoint, key and both shapes.
 */
import { StateDictError, tf, type DynamicLossScaler, type LossScalerState, type Module, type Optimizer, type OptimizerState, type Rng, type RngState } from '@babelrs/core';
import { InputError } from '../errors.js';
import type { StageSnapshot } from './stage-session.js';

export interface TrainingParts {
  module: Module;
  optimizer: Optimizer;
  scaler?: DynamicLossScaler;
  rng?: Rng;
}

export function snapshotParts(parts: TrainingParts, extra: Record<string, unknown>): StageSnapshot {
  const tensors: Record<string, tf.Tensor> = {};
  // stateDict: parameters and persistent buffers, exactly what loadStateDict expects back.
  for (const [name, v] of Object.entries(parts.module.stateDict())) tensors[`model.${name}`] = v.clone();
  const opt = parts.optimizer.stateDict();
  for (const [k, t] of Object.entries(opt.tensors)) tensors[`optim.${k}`] = t;
  return {
    tensors,
    state: {
      ...extra,
      optimizer: opt.meta,
      ...(parts.scaler ? { scaler: parts.scaler.stateDict() } : {}),
      ...(parts.rng ? { rng: parts.rng.getState() } : {}),
    },
  };
}

/** Restores what `snapshotParts` saved; returns the extra JSON state. */
export function restoreParts(parts: TrainingParts, snap: StageSnapshot, source: string): Record<string, unknown> {
  const model: Record<string, tf.Tensor> = {};
  const optim: Record<string, tf.Tensor> = {};
  for (const [k, t] of Object.entries(snap.tensors)) {
    if (k.startsWith('model.')) model[k.slice(6)] = t;
    else if (k.startsWith('optim.')) optim[k.slice(6)] = t;
    else throw new InputError(`${source}: unexpected tensor "${k}" (expected model.* or optim.*)`);
  }
  try {
    parts.module.loadStateDict(model);
  } catch (err) {
    if (err instanceof StateDictError) throw new InputError(`${source}: the checkpoint does not fit this config's model: ${describeMismatch(err)}`);
    throw err;
  }
  const { optimizer, scaler, rng, ...extra } = snap.state as { optimizer?: OptimizerState['meta']; scaler?: LossScalerState; rng?: RngState } & Record<string, unknown>;
  if (optimizer === undefined) throw new InputError(`${source}: state.optimizer is missing`);
  try {
    parts.optimizer.loadStateDict({ meta: optimizer, tensors: optim });
  } catch (err) {
    throw new InputError(`${source}: optimizer state does not fit: ${(err as Error).message}`);
  }
  if (parts.scaler && scaler) parts.scaler.loadStateDict(scaler);
  if (parts.rng && rng) parts.rng.setState(rng);
  return extra;
}

function describeMismatch(err: StateDictError): string {
  const r = (err as unknown as { report?: { missing: string[]; unexpected: string[]; mismatched: Array<{ key: string; expected: number[]; got: number[] }> } }).report;
  if (r?.mismatched.length) {
    const m = r.mismatched[0];
    return `"${m.key}" has shape [${m.got.join(', ')}] in the checkpoint, the model expects [${m.expected.join(', ')}]${r.mismatched.length > 1 ? ` (and ${r.mismatched.length - 1} more)` : ''}`;
  }
  if (r?.missing.length) return `"${r.missing[0]}" is missing from the checkpoint${r.missing.length > 1 ? ` (and ${r.missing.length - 1} more)` : ''}`;
  if (r?.unexpected.length) return `"${r.unexpected[0]}" is in the checkpoint but not in the model`;
  return err.message.split('\n')[0];
}
