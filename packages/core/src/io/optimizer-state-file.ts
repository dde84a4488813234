import type { OptimizerState } from '../optim/optimizer.js';
import { SafetensorsError } from './safetensors-format.js';
import { readSafetensors } from './safetensors-reader.js';
import { writeSafetensors } from './safetensors-writer.js';

/** `__metadata__` key that holds the optimizer's JSON meta (lr per group, step counts …). */
const META_KEY = 'babelrs.optimizer';

/**
 * Saves an optimizer state dict as safetensors (atomic): the moment tensors under
 * `<param>/<slot>` keys, the JSON meta in `__metadata__`. Float32 moments keep resume exact.
 */
export function saveOptimizerState(path: string, state: OptimizerState): void {
  writeSafetensors(path, state.tensors, { metadata: { [META_KEY]: JSON.stringify(state.meta) } });
}

/** Reads a file written by `saveOptimizerState`; the caller disposes `tensors` after loading. */
export function loadOptimizerState(path: string): OptimizerState {
  const { tensors, metadata } = readSafetensors(path);
  const raw = metadata[META_KEY];
  if (raw === undefined) {
    Object.values(tensors).forEach((t) => t.dispose());
    throw new SafetensorsError(path, `__metadata__ has no "${META_KEY}" entry: not an optimizer state file`);
  }
  let meta: OptimizerState['meta'];
  try {
    meta = JSON.parse(raw) as OptimizerState['meta'];
  } catch (e) {
    Object.values(tensors).forEach((t) => t.dispose());
    throw new SafetensorsError(path, `__metadata__."${META_KEY}" is not valid JSON (${(e as Error).message})`);
  }
  return { meta, tensors };
}
