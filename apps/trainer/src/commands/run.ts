/**
 * `babelrs run` (stage 1 → stage 2 → evaluation → report), `babelrs pretrain` (stage 1 only) and
 * `babelrs finetune --init <vit>|none` (stage 2 + evaluation). Checks everything it can before
 * any work (config, --init file, output folder, dataset); a failure there leaves nothing behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load-config.js';
import type { RunConfig } from '../config/schema.js';
import { prepareRunData } from '../data/run-data.js';
import { InputError } from '../errors.js';
import { runPipeline, type PipelineResult, type RunMetrics } from '../pipeline/run-pipeline.js';
import { pretrainAvailable } from '../pipeline/stage-adapter.js';
import { buildHtmlReport } from '../report/html-report.js';
import { formatComparison, formatEvalTable } from '../report/summary-table.js';
import { writeAtomic } from '../run/atomic-text.js';
import { readEvents } from '../run/event-log.js';
import { prepareOutDir } from '../run/out-dir.js';
import { RunDir } from '../run/run-dir.js';
import { StopSignal } from '../run/stop-signal.js';
import { configFromFlags, startBackend, type ConfigFlags, type Io } from './common.js';

export interface RunFlags extends ConfigFlags {
  out?: string;
  resume?: string;
  /** finetune: a ViT safetensors file, or "none". */
  init?: string;
}

export type RunMode = 'run' | 'pretrain' | 'finetune';

export async function runCommand(flags: RunFlags, requested: RunMode, io: Io): Promise<number> {
  const resuming = flags.resume !== undefined;
  const existing = resuming ? RunDir.open(path.resolve(flags.resume!)) : undefined;
  // A resumed run continues the job it was started as (`finetune --init …` stays that).
  const mode = (existing?.job?.command as RunMode | undefined) ?? requested;
  let config: RunConfig = existing ? loadConfig({ file: existing.configFile }) : configFromFlags(flags);
  let init: string | null | undefined;
  if (mode === 'finetune') {
    const raw = existing?.job ? (existing.job.init ?? 'none') : (flags.init ?? 'none');
    init = raw === 'none' ? null : path.resolve(raw);
    if (init !== null && !fs.existsSync(init)) throw new InputError(`--init ${raw}: no such file (expected a ViT safetensors file, e.g. <run>/pretrain/vit.safetensors, or "none")`);
    config = { ...config, pretrain: { ...config.pretrain, enabled: false }, run: { ...config.run, compareBaseline: false } };
  }
  if (mode === 'pretrain') config = { ...config, pretrain: { ...config.pretrain, enabled: true } };
  if (config.pretrain.enabled && init === undefined) {
    const why = pretrainAvailable(config);
    if (why) throw new InputError(why);
  }
  const outDir = existing?.dir ?? (flags.out !== undefined ? path.resolve(flags.out) : freeRunDir(config.name));
  const prepared = existing ? undefined : prepareOutDir(outDir);
  let runDir: RunDir;
  let data;
  try {
    if (!existing && fs.existsSync(path.join(outDir, 'run.json'))) throw new InputError(`--out ${flags.out ?? outDir}: already holds a run (run.json); continue it with --resume ${outDir} or choose another folder`);
    const backend = await startBackend(config.backend);
    if (!flags.quiet) io.err(`babelrs ${mode}: config ${config.name}, ${backend}`);
    data = await prepareRunData(config);
    if (!flags.quiet && data.generated) io.err(`data: mini-SOI ${data.generated.status} at ${data.root} (${data.generated.seconds.toFixed(1)} s)`);
    runDir = existing ?? RunDir.create(outDir, config, { command: mode, init });
  } catch (err) {
    prepared?.undo();
    throw err;
  }
  if (existing) existing.setStatus('running');
  const stop = new StopSignal().install();
  let result: PipelineResult;
  try {
    result = await runPipeline({
      config,
      data,
      runDir,
      resume: resuming,
      stop,
      ...(init !== undefined ? { init } : {}),
      stages: mode === 'pretrain' ? { finetune: false, baseline: false } : {},
      progress: { quiet: flags.quiet ?? false, write: io.err },
      log: flags.quiet ? () => {} : io.err,
    });
  } finally {
    stop.dispose();
  }
  if (result.metrics === null) {
    io.out(`pretrained ViT: ${result.pretrain?.vit}`);
    io.out(`run folder: ${runDir.dir}`);
    return 0;
  }
  printMetrics(result.metrics, io);
  const report = runDir.path('report.html');
  writeAtomic(report, await buildHtmlReport(result as PipelineResult & { metrics: RunMetrics }, readEvents(runDir.events.file)));
  io.out(`report: ${report}`);
  return 0;
}

export function printMetrics(m: RunMetrics, io: Io): void {
  for (const l of formatEvalTable(m.evaluation, m.pretrain ? 'with pretraining' : m.finetune.init ? `fine-tuned from ${m.finetune.init}` : 'without pretraining')) io.out(l);
  if (m.baseline) {
    for (const l of formatEvalTable(m.baseline.evaluation, 'without pretraining (baseline)')) io.out(l);
    io.out(formatComparison(m.evaluation, m.baseline.evaluation));
  }
  io.out(`total ${m.seconds.toFixed(1)} s`);
}

/** `runs/<name>`, or `runs/<name>-2`, `-3`, … when earlier runs are there (only without --out). */
function freeRunDir(name: string): string {
  const base = path.resolve('runs', name);
  for (let n = 1; ; n++) {
    const dir = n === 1 ? base : `${base}-${n}`;
    if (!fs.existsSync(path.join(dir, 'run.json'))) return dir;
  }
}
