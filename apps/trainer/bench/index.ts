// The main job, timed: `babelrs run` with the mini-soi preset (what `npm start` runs), in this
// process, then its wall and CPU seconds, the load average before / after (the machine is shared)
// and the numbers of its metrics.json go to bench/results/trainer.json (key `npmStart`).
// Run from the repository root: nice -n 10 npx tsx --conditions=@babelrs/source apps/trainer/bench/index.ts
// Env: BENCH_OUT (run folder, default runs/bench-mini-soi), BENCH_SET (extra --set, `;`-separated).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@babelrs/datasets';
import { runCli, type RunMetrics } from '../src/index.js';

const out = process.env.BENCH_OUT ?? 'runs/bench-mini-soi';
const sets = (process.env.BENCH_SET ?? '').split(';').filter(Boolean).flatMap((s) => ['--set', s]);
fs.rmSync(out, { recursive: true, force: true });
const load0 = os.loadavg();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const lines: string[] = [];
const code = await runCli(['run', '--out', out, ...sets], { out: (l) => (lines.push(l), console.log(l)), err: (l) => console.error(l) });
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
if (code !== 0) process.exit(code);
const m = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8')) as RunMetrics;
const per = (e: RunMetrics['evaluation']) => Object.fromEntries(Object.entries(e.perModality).map(([k, v]) => [k, { AP50: v!.AP50, mAP: v!.mAP, images: v!.images }]));
const result = {
  what: 'babelrs run, mini-soi preset (npm start): data → CSIA pretraining → fine-tuning → evaluation → fine-tuning without pretraining → evaluation → report',
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  sets: process.env.BENCH_SET ?? '',
  config: { pretrainSteps: m.config.pretrain.steps, finetuneSteps: m.config.finetune.steps, finetuneBatch: m.config.finetune.batch, imagesPerModality: m.config.data.synthetic?.images.sar ?? null },
  wallSeconds: wall,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  stageSeconds: { pretrain: m.pretrain?.seconds ?? null, finetune: m.finetune.seconds, baseline: m.baseline?.seconds ?? null },
  loadavg: { start: load0, end: os.loadavg(), note: 'shared 2-core machine: wall time includes waiting for other jobs; cpuSeconds is what an idle machine would need (wasm is single-threaded)' },
  withPretraining: { perModality: per(m.evaluation), mAP: m.evaluation.mAP, AP50: m.evaluation.AP50, hmap: m.evaluation.hmap },
  withoutPretraining: m.baseline ? { perModality: per(m.baseline.evaluation), mAP: m.baseline.evaluation.mAP, AP50: m.baseline.evaluation.AP50, hmap: m.baseline.evaluation.hmap } : null,
  retrieval: { before: m.retrieval.before?.mean ?? null, after: m.retrieval.after?.mean ?? null, chance: m.retrieval.after?.chance ?? null },
  printed: lines,
};
// The repository's bench/results, whatever the working folder (nx runs benches in the package folder).
const file = fileURLToPath(new URL('../../../bench/results/trainer.json', import.meta.url));
const prev = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
writeFileAtomic(file, `${JSON.stringify({ ...prev, npmStart: result }, null, 2)}\n`);
console.log(`written ${file}`);
