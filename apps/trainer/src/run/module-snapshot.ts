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
  const opt = parts.optimizer.stateDict();
  return {
    tensors: snapshotTensors(parts.module, opt.tensors),
    state: {
      ...extra,
      optimizer: opt.meta,
      ...(parts.scaler ? { scaler: parts.scaler.stateDict() } : {}),
      ...(parts.rng ? { rng: parts.rng.getState() } : {}),
    },
  };
}

/**
 * A snapshot's tensors: copies of the module's state dict as `model.<name>` (parameters and
 * persistent buffers, exactly what loadStateDict expects back) and the optimizer's tensors as
 * `optim.<key>` (taken over, not copied). For stages whose optimizer lives in a library loop.
 */
export function snapshotTensors(module: Module, optimizerTensors: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, v] of Object.entries(module.stateDict())) tensors[`model.${name}`] = v.clone();
  for (const [k, t] of Object.entries(optimizerTensors)) tensors[`optim.${k}`] = t;
  return tensors;
}

/**
 * Loads a snapshot's `model.*` tensors into `module` and returns copies of its `optim.*` tensors
 * (the caller owns them): for stages that hand the optimizer state to a library loop.
 */
export function restoreModel(module: Module, snap: StageSnapshot, source: string): Record<string, tf.Tensor> {
  const { model, optim } = splitTensors(snap, source);
  loadModel(module, model, source);
  return Object.fromEntries(Object.entries(optim).map(([k, t]) => [k, t.clone()]));
}

/** Restores what `snapshotParts` saved; returns the extra JSON state. */
export function restoreParts(parts: TrainingParts, snap: StageSnapshot, source: string): Record<string, unknown> {
  const { model, optim } = splitTensors(snap, source);
  loadModel(parts.module, model, source);
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

function splitTensors(snap: StageSnapshot, source: string): { model: Record<string, tf.Tensor>; optim: Record<string, tf.Tensor> } {
  const model: Record<string, tf.Tensor> = {};
  const optim: Record<string, tf.Tensor> = {};
  for (const [k, t] of Object.entries(snap.tensors)) {
    if (k.startsWith('model.')) model[k.slice(6)] = t;
    else if (k.startsWith('optim.')) optim[k.slice(6)] = t;
    else throw new InputError(`${source}: unexpected tensor "${k}" (expected model.* or optim.*)`);
  }
  return { model, optim };
}

function loadModel(module: Module, model: Record<string, tf.Tensor>, source: string): void {
  try {
    module.loadStateDict(model);
  } catch (err) {
    if (err instanceof StateDictError) throw new InputError(`${source}: the checkpoint does not fit this config's model: ${describeMisfit(err, { where: ' in the checkpoint', model: 'the model' })}`);
    throw err;
  }
}

/** How a misfit is worded: where the loaded tensors came from and what model expected them. */
export interface MisfitWording {
  /** Said after the found shape, e.g. ' in the checkpoint' (default: nothing). */
  where?: string;
  /** The model that expects the tensors, e.g. "the config's model". */
  model: string;
}

/**
 * One line for a state dict that does not fit a model (core's StateDictError): the first
 * mismatched key with both shapes, else the first missing or unexpected key. Any other error:
 * its first line.
 */
export function describeMisfit(err: unknown, w: MisfitWording): string {
  if (err instanceof StateDictError) {
    const r = err.report;
    const where = w.where ?? '';
    if (r.mismatched.length) return `"${r.mismatched[0].key}" has shape [${r.mismatched[0].got.join(', ')}]${where}, ${w.model} expects [${r.mismatched[0].expected.join(', ')}]`;
    if (r.missing.length) return `"${r.missing[0]}" is missing${where} (${r.missing.length} key(s) in all): the weights are for another model`;
    if (r.unexpected.length) return `"${r.unexpected[0]}"${where} is not a key of ${w.model}`;
  }
  return (err as Error).message.split('\n')[0];
}
