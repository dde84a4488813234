// A fine-tuning state on disk: `optimizer.safetensors` (AdamW moments, float32, exact) and
// `fine-tune-state.json` (step, seed, loss scaler, RNG). Both written atomically; the JSON is
// written last, so a folder whose JSON exists has a complete optimizer file beside it.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadOptimizerState, saveOptimizerState } from '@babelrs/core';
import { writeFileAtomic } from '@babelrs/datasets';
import type { FineTuneState } from './fine-tune.js';

const OPTIMIZER_FILE = 'optimizer.safetensors';
const STATE_FILE = 'fine-tune-state.json';

/** Writes `state` under `dir` (created if needed); returns the two paths. */
export function saveFineTuneState(dir: string, state: FineTuneState): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const opt = path.join(dir, OPTIMIZER_FILE);
  const json = path.join(dir, STATE_FILE);
  saveOptimizerState(opt, state.optimizer);
  writeFileAtomic(json, JSON.stringify({ format: 'babelrs.fine-tune-state/1', step: state.step, seed: state.seed, scaler: state.scaler, rng: state.rng }, null, 2) + '\n');
  return [opt, json];
}

/** Reads a state written by `saveFineTuneState`; errors name the file and field. */
export function loadFineTuneState(dir: string): FineTuneState {
  const json = path.join(dir, STATE_FILE);
  if (!fs.existsSync(json)) throw new Error(`loadFineTuneState: ${json} not found`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(json, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`loadFineTuneState: ${json} is not valid JSON (${(e as Error).message})`);
  }
  const need = (key: string, ok: (v: unknown) => boolean, what: string): unknown => {
    if (!ok(raw[key])) throw new Error(`loadFineTuneState: ${json}: field "${key}" must be ${what}, got ${JSON.stringify(raw[key])}`);
    return raw[key];
  };
  const step = need('step', (v) => Number.isInteger(v) && (v as number) >= 0, 'a non-negative integer') as number;
  const seed = need('seed', (v) => typeof v === 'number' && Number.isFinite(v), 'a number') as number;
  const scaler = need('scaler', (v) => typeof v === 'object' && v !== null, 'an object') as FineTuneState['scaler'];
  const rng = need('rng', (v) => typeof v === 'object' && v !== null && Array.isArray((v as { s?: unknown }).s), 'an object { s: number[4] }') as FineTuneState['rng'];
  const optimizer = loadOptimizerState(path.join(dir, OPTIMIZER_FILE));
  if (optimizer.meta.stepCount !== undefined && optimizer.meta.stepCount > step) {
    tf.dispose(Object.values(optimizer.tensors));
    throw new Error(`loadFineTuneState: ${dir}: optimizer has taken ${optimizer.meta.stepCount} steps but the state says ${step}`);
  }
  return { step, seed, scaler, rng, optimizer };
}
