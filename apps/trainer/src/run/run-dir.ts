/**
 * The run folder:
 *
 * ```text
 * <out>/
 *   config.yaml            the resolved config (what --resume reads back)
 *   run.json               status (running | interrupted | stopped | failed | done) and finished stages
 *   events.jsonl           every event: each step's telemetry (stage, losses, grad norm, loss scale, α, lr, …)
 *   pretrain/checkpoints/  step-XXXXXXXX/{weights.safetensors,state.json}, latest.json
 *   pretrain/vit.safetensors        the aligned ViT (timm keys), input of fine-tuning
 *   finetune/checkpoints/  …
 *   finetune/model.safetensors      the detector
 *   baseline/…             fine-tuning without pretraining (when run.compareBaseline)
 *   eval/<stage>/<modality>/…       COCO results JSON (SAR) and DOTA Task1 files (RGB, IR)
 *   metrics.json           final numbers (per-modality AP50 / mAP, mAP, H-mAP, baseline, retrieval)
 *   report.html            the self-contained report
 * ```
 * Every file except the append-only events.jsonl is written atomically (temp + rename).
 */
import fs from 'node:fs';
import path from 'node:path';
import { configToYaml } from '../config/load-config.js';
import type { RunConfig } from '../config/schema.js';
import { InputError } from '../errors.js';
import { writeAtomic, writeJsonAtomic } from './atomic-text.js';
import { EventLog } from './event-log.js';

export type RunStatus = 'running' | 'interrupted' | 'stopped' | 'failed' | 'done';

export interface RunState {
  format: 'babelrs-run';
  version: 1;
  name: string;
  status: RunStatus;
  /** Results of finished stages, by stage name (so --resume skips them). */
  stages: Record<string, Record<string, unknown>>;
  startedAt: string;
  updatedAt: string;
  message?: string;
  /** How the run was started (command and its --init), so --resume continues the same job. */
  job?: { command: string; init: string | null | undefined };
}

export class RunDir {
  readonly events: EventLog;
  private state: RunState;

  private constructor(
    readonly dir: string,
    state: RunState,
  ) {
    this.events = new EventLog(path.join(dir, 'events.jsonl'));
    this.state = state;
  }

  /** A fresh run in `dir` (which must exist, be writable, and hold no earlier run). */
  static create(dir: string, config: RunConfig, job?: RunState['job']): RunDir {
    if (fs.existsSync(path.join(dir, 'run.json'))) throw new InputError(`--out ${dir}: already holds a run (run.json); continue it with --resume ${dir} or choose another folder`);
    writeAtomic(path.join(dir, 'config.yaml'), configToYaml(config));
    const now = new Date().toISOString();
    const rd = new RunDir(dir, { format: 'babelrs-run', version: 1, name: config.name, status: 'running', stages: {}, startedAt: now, updatedAt: now, ...(job ? { job } : {}) });
    rd.save();
    return rd;
  }

  /** An existing run folder (for --resume / eval); errors name the file. */
  static open(dir: string, flag = '--resume'): RunDir {
    const file = path.join(dir, 'run.json');
    if (!fs.existsSync(dir)) throw new InputError(`${flag} ${dir}: no such folder`);
    if (!fs.existsSync(file)) throw new InputError(`${flag} ${dir}: not a babelrs run folder (no run.json)`);
    let state: RunState;
    try {
      state = JSON.parse(fs.readFileSync(file, 'utf8')) as RunState;
    } catch (err) {
      throw new InputError(`${file}: not valid JSON (${(err as Error).message})`);
    }
    if (state?.format !== 'babelrs-run' || typeof state.stages !== 'object') throw new InputError(`${file}: not a babelrs run state (format "${String(state?.format)}")`);
    return new RunDir(dir, state);
  }

  get job(): RunState['job'] {
    return this.state.job;
  }

  get configFile(): string {
    return path.join(this.dir, 'config.yaml');
  }

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  stageResult<T = Record<string, unknown>>(stage: string): T | undefined {
    return this.state.stages[stage] as T | undefined;
  }

  finishStage(stage: string, result: Record<string, unknown>): void {
    this.state.stages[stage] = result;
    this.save();
  }

  setStatus(status: RunStatus, message?: string): void {
    this.state.status = status;
    if (message === undefined) delete this.state.message;
    else this.state.message = message;
    this.save();
  }

  get status(): RunStatus {
    return this.state.status;
  }

  private save(): void {
    this.state.updatedAt = new Date().toISOString();
    writeJsonAtomic(path.join(this.dir, 'run.json'), this.state);
  }
}
