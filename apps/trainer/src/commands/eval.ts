/**
 * `babelrs eval <run>` or `babelrs eval --weights <file> [config flags]`: evaluates a trained
 * detector on the config's evaluation split, writes the result files and prints the table.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { prepareRunData } from '../data/run-data.js';
import { InputError, UsageError } from '../errors.js';
import { createDetector, evaluateDetector, loadDetectorWeights } from '../pipeline/stage-adapter.js';
import { formatEvalTable } from '../report/summary-table.js';
import { writeJsonAtomic } from '../run/atomic-text.js';
import { prepareOutDir } from '../run/out-dir.js';
import { RunDir } from '../run/run-dir.js';
import { configFromFlags, startBackend, type ConfigFlags, type Io } from './common.js';

export interface EvalFlags extends ConfigFlags {
  weights?: string;
  out?: string;
  split?: string;
  json?: boolean;
}

export async function evalCommand(run: string | undefined, flags: EvalFlags, io: Io): Promise<number> {
  if (run === undefined && flags.weights === undefined) throw new UsageError('eval: give a run folder (babelrs eval runs/mini-soi) or --weights <model.safetensors>');
  let config = run !== undefined ? loadConfig({ file: RunDir.open(path.resolve(run), 'eval').configFile, sets: flags.set ?? [] }) : configFromFlags(flags);
  if (flags.split) config = { ...config, data: { ...config.data, evalSplit: flags.split } };
  const weights = path.resolve(flags.weights ?? path.join(run!, 'finetune', 'model.safetensors'));
  if (!fs.existsSync(weights)) throw new InputError(`${flags.weights ? '--weights ' : ''}${weights}: no such file${run && !flags.weights ? ' (the run has no finished fine-tuning)' : ''}`);
  const outDir = path.resolve(flags.out ?? (run !== undefined ? path.join(run, 'eval', 'cli') : path.join('runs', `${config.name}-eval`)));
  await startBackend(config.backend);
  const detector = createDetector(config);
  try {
    loadDetectorWeights(detector, weights);
    const data = await prepareRunData(config, { generate: config.data.kind === 'mini-soi' });
    const prepared = prepareOutDir(outDir);
    let summary;
    try {
      summary = await evaluateDetector(detector, data.eval, config, outDir);
    } catch (err) {
      prepared.undo();
      throw err;
    }
    writeJsonAtomic(path.join(outDir, 'metrics.json'), { format: 'babelrs-eval', weights, split: config.data.evalSplit, evaluation: summary });
    if (flags.json) io.out(JSON.stringify(summary, null, 2));
    else for (const l of formatEvalTable(summary, `${path.basename(weights)} on ${config.data.evalSplit}`)) io.out(l);
    io.out(`results: ${outDir}`);
  } finally {
    detector.dispose();
  }
  return 0;
}
