/**
 * `babelrs ablate`: runs a matrix of config variants in sequence (each a full `run` in
 * `<out>/variants/<name>`, the data shared), then writes `table.md`, `table.csv`, `table.json`.
 * A variant already finished (run.json `done`) is read back, not rerun, so an interrupted
 * ablation continues where it stopped when started again with the same --out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ablationCsv, ablationMarkdown, parseAxis, variantsOf, type AblationAxis, type AblationRow } from '../ablate/ablation-matrix.js';
import { loadConfig } from '../config/load-config.js';
import { FUSIONS } from '../config/schema.js';
import { prepareRunData } from '../data/run-data.js';
import { InputError, UsageError } from '../errors.js';
import { runPipeline, type RunMetrics } from '../pipeline/run-pipeline.js';
import { pretrainAvailable } from '../pipeline/stage-adapter.js';
import { writeAtomic, writeJsonAtomic } from '../run/atomic-text.js';
import { prepareOutDir } from '../run/out-dir.js';
import { RunDir } from '../run/run-dir.js';
import { StopSignal } from '../run/stop-signal.js';
import { startBackend, type ConfigFlags, type Io } from './common.js';

export interface AblateFlags extends ConfigFlags {
  out?: string;
  axis?: string[];
  fusion?: string;
  pretraining?: string;
  head?: string[];
}

export function ablationAxes(f: AblateFlags): AblationAxis[] {
  const axes: AblationAxis[] = [];
  if (f.fusion !== undefined) axes.push(parseAxis(`model.fusion=${f.fusion}`, '--fusion'));
  if (f.pretraining !== undefined) {
    const vals = f.pretraining.split(',').map((v) => v.trim());
    for (const v of vals) if (v !== 'on' && v !== 'off') throw new UsageError(`--pretraining: expected on, off or on,off, got ${JSON.stringify(f.pretraining)}`);
    axes.push(parseAxis(`pretrain.enabled=${vals.map((v) => String(v === 'on')).join(',')}`, '--pretraining'));
  }
  for (const h of f.head ?? []) {
    const [mod, list] = h.split('=', 2);
    if (!['sar', 'rgb', 'ir'].includes(mod) || !list) throw new UsageError(`--head ${h}: expected <sar|rgb|ir>=<type>[,<type>…], e.g. rgb=rotated-fcos,oriented-rcnn`);
    axes.push(parseAxis(`model.heads.${mod}=${list}`, '--head'));
  }
  for (const a of f.axis ?? []) axes.push(parseAxis(a));
  if (axes.length === 0) axes.push({ key: 'model.fusion', values: [...FUSIONS.filter((x) => x !== 'mean')] });
  return axes;
}

export async function ablateCommand(f: AblateFlags, io: Io): Promise<number> {
  const axes = ablationAxes(f);
  const baseSets = [...(f.set ?? []), ...(f.seed !== undefined ? [`seed=${f.seed}`] : []), ...(f.backend !== undefined ? [`backend=${f.backend}`] : [])];
  const base = { ...(f.preset !== undefined ? { preset: f.preset } : {}), ...(f.config !== undefined ? { file: f.config } : {}) };
  // Every variant's config is validated before any work.
  const variants = variantsOf(axes).map((v) => ({ ...v, config: loadConfig({ ...base, sets: [...baseSets, ...v.sets, 'run.compareBaseline=false'] }) }));
  for (const v of variants) {
    const why = v.config.pretrain.enabled ? pretrainAvailable(v.config) : undefined;
    if (why) throw new InputError(`ablate: variant ${v.name} has pretraining on, but ${why}`);
  }
  const out = prepareOutDir(f.out ?? path.join('runs', `ablate-${variants[0].config.name}`));
  await startBackend(variants[0].config.backend);
  const rows: AblationRow[] = [];
  const stop = new StopSignal().install();
  try {
    for (const [i, v] of variants.entries()) {
      io.err(`ablate: variant ${i + 1}/${variants.length} ${v.name} (${v.sets.join(' ') || 'base config'})`);
      const dir = path.join(out.dir, 'variants', v.name);
      let metrics: RunMetrics;
      const done = fs.existsSync(path.join(dir, 'metrics.json')) && RunDir.open(dir).status === 'done';
      if (done) metrics = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8')) as RunMetrics;
      else {
        const resume = fs.existsSync(path.join(dir, 'run.json'));
        fs.mkdirSync(dir, { recursive: true });
        const runDir = resume ? RunDir.open(dir) : RunDir.create(dir, v.config);
        const data = await prepareRunData(v.config);
        const r = await runPipeline({ config: v.config, data, runDir, resume, stop, progress: { quiet: f.quiet ?? false, write: io.err }, log: f.quiet ? () => {} : io.err });
        metrics = r.metrics!;
      }
      rows.push({ variant: v.name, settings: v.settings, evaluation: metrics.evaluation, seconds: metrics.seconds });
    }
  } catch (err) {
    if (rows.length === 0 && !fs.existsSync(path.join(out.dir, 'variants'))) out.undo();
    throw err;
  } finally {
    stop.dispose();
  }
  const md = ablationMarkdown(rows);
  writeAtomic(path.join(out.dir, 'table.md'), md);
  writeAtomic(path.join(out.dir, 'table.csv'), ablationCsv(rows));
  writeJsonAtomic(path.join(out.dir, 'table.json'), { format: 'babelrs-ablation', axes, rows });
  io.out(md.trimEnd());
  io.out(`table: ${path.join(out.dir, 'table.md')} (also .csv, .json)`);
  return 0;
}
