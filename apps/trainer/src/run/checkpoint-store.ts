/**
 * Checkpoints of one stage: `<dir>/step-00000120/{weights.safetensors,state.json}` and
 * `<dir>/latest.json`. A checkpoint is built in a hidden temp folder, every file fsynced, and
 * renamed into place in one step; `latest.json` is replaced atomically afterwards. `state.json`
 * records the weights file's size and SHA-256, checked on load. So a process killed at any
 * moment (even `kill -9` mid-save) leaves either the previous checkpoint or the new one — never
 * one that loads wrongly: a half-built temp folder is ignored and removed by the next save.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readSafetensors, writeSafetensors, type tf } from '@babelrs/core';
import { InputError } from '../errors.js';
import { writeJsonAtomic } from './atomic-text.js';
import type { StageSnapshot } from './stage-session.js';

export const CHECKPOINT_FORMAT = 'babelrs-checkpoint';
export const CHECKPOINT_VERSION = 1;
const WEIGHTS = 'weights.safetensors';
const STATE = 'state.json';
const LATEST = 'latest.json';

export interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  stage: string;
  step: number;
  weights: { file: string; bytes: number; sha256: string; tensors: number };
  /** The session's JSON state (optimizer meta, scaler, RNG, data cursor, …). */
  state: Record<string, unknown>;
  savedAt: string;
}

export interface LoadedCheckpoint {
  path: string;
  step: number;
  snapshot: StageSnapshot;
}

export interface SaveHooks {
  /** Test hook: called between the phases of a save ('weights-written', 'state-written', 'renamed'). */
  onPhase?: (phase: 'weights-written' | 'state-written' | 'renamed') => void;
}

export class CheckpointStore {
  constructor(
    readonly dir: string,
    readonly stage: string,
    private readonly keep = 2,
    private readonly hooks: SaveHooks = {},
  ) {}

  /** Saves `snapshot` as the checkpoint of `step` (tensors are not disposed). Returns its folder. */
  save(step: number, snapshot: StageSnapshot): string {
    fs.mkdirSync(this.dir, { recursive: true });
    this.removeTemps();
    const final = path.join(this.dir, stepDirName(step));
    const tmp = path.join(this.dir, `.tmp-${stepDirName(step)}-${process.pid}`);
    fs.mkdirSync(tmp);
    const weightsFile = path.join(tmp, WEIGHTS);
    writeSafetensors(weightsFile, snapshot.tensors, { metadata: { format: CHECKPOINT_FORMAT, stage: this.stage, step: String(step) } });
    this.hooks.onPhase?.('weights-written');
    const bytes = fs.readFileSync(weightsFile);
    const state: CheckpointState = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      stage: this.stage,
      step,
      weights: { file: WEIGHTS, bytes: bytes.byteLength, sha256: sha256(bytes), tensors: Object.keys(snapshot.tensors).length },
      state: snapshot.state,
      savedAt: new Date().toISOString(),
    };
    writeJsonAtomic(path.join(tmp, STATE), state);
    this.hooks.onPhase?.('state-written');
    fs.rmSync(final, { recursive: true, force: true });
    fs.renameSync(tmp, final);
    fsyncDir(this.dir);
    this.hooks.onPhase?.('renamed');
    writeJsonAtomic(path.join(this.dir, LATEST), { step, path: stepDirName(step) });
    this.prune();
    return final;
  }

  /** Steps of the complete checkpoints present (a state.json exists), ascending. */
  steps(): number[] {
    if (!fs.existsSync(this.dir)) return [];
    return fs
      .readdirSync(this.dir)
      .map((n) => /^step-(\d{8})$/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null && fs.existsSync(path.join(this.dir, m[0], STATE)))
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  /**
   * The newest checkpoint that verifies (latest.json's first, then the others newest first);
   * undefined when there is none. A checkpoint that fails verification is never loaded.
   */
  loadLatest(): LoadedCheckpoint | undefined {
    const candidates = this.steps().reverse();
    const latest = this.readLatestPointer();
    if (latest !== undefined) candidates.sort((a, b) => Number(b === latest) - Number(a === latest));
    const problems: string[] = [];
    for (const step of candidates) {
      try {
        return loadCheckpointDir(path.join(this.dir, stepDirName(step)));
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    if (problems.length > 0) throw new InputError(`${this.dir}: no checkpoint verifies (${problems[0]})`);
    return undefined;
  }

  private readLatestPointer(): number | undefined {
    try {
      const v = JSON.parse(fs.readFileSync(path.join(this.dir, LATEST), 'utf8')) as { step?: unknown };
      return typeof v.step === 'number' ? v.step : undefined;
    } catch {
      return undefined;
    }
  }

  private removeTemps(): void {
    for (const n of fs.readdirSync(this.dir)) if (n.startsWith('.tmp-step-')) fs.rmSync(path.join(this.dir, n), { recursive: true, force: true });
  }

  private prune(): void {
    const steps = this.steps();
    for (const s of steps.slice(0, Math.max(0, steps.length - this.keep))) fs.rmSync(path.join(this.dir, stepDirName(s)), { recursive: true, force: true });
  }
}

/** Reads and verifies one checkpoint folder (state.json format, weights size and SHA-256). */
export function loadCheckpointDir(dir: string): LoadedCheckpoint {
  const stateFile = path.join(dir, STATE);
  let state: CheckpointState;
  try {
    state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as CheckpointState;
  } catch (err) {
    throw new InputError(`${stateFile}: unreadable checkpoint state (${(err as Error).message.split('\n')[0]})`);
  }
  if (state?.format !== CHECKPOINT_FORMAT || typeof state.step !== 'number' || typeof state.weights?.sha256 !== 'string') {
    throw new InputError(`${stateFile}: not a ${CHECKPOINT_FORMAT} state file (format, step or weights missing)`);
  }
  if (state.version !== CHECKPOINT_VERSION) throw new InputError(`${stateFile}: checkpoint version ${state.version}, this babelrs reads ${CHECKPOINT_VERSION}`);
  const weightsFile = path.join(dir, state.weights.file);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(weightsFile);
  } catch {
    throw new InputError(`${weightsFile}: missing (the checkpoint is incomplete)`);
  }
  if (bytes.byteLength !== state.weights.bytes || sha256(bytes) !== state.weights.sha256) {
    throw new InputError(`${weightsFile}: size or SHA-256 differs from ${STATE} (the file was changed or cut short)`);
  }
  const { tensors } = readSafetensors(weightsFile);
  return { path: dir, step: state.step, snapshot: { tensors: tensors as Record<string, tf.Tensor>, state: state.state } };
}

export function stepDirName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some file systems do not support fsync on folders; the rename is still atomic.
  }
}
