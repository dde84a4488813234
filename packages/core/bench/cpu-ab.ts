// A/B of two step variants in one process, alternating step by step, with the thread CPU time of
// each step (load-independent) — `BENCH_AB=fastUnfused,fast tsx … bench/cpu-ab.ts` merges the
// result into bench/results/core.json as vitStep.cpuAB.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, tf, threadCpuMs } from '../src/index.js';
import { median, writeBenchResult } from '../../../bench/lib.js';
import { round } from './matmul-bench.js';
import { benchData } from './vit-step-child.js';
import { createAdamW, createVit, disposeVit, FAST_OPS, FAST_UNFUSED_OPS, trainStep, VIT_TINY, type MatOps } from './vit-tiny.js';

const VARIANTS: Record<string, MatOps> = { fast: FAST_OPS, fastUnfused: FAST_UNFUSED_OPS };

export async function cpuAB(aName: string, bName: string, rounds: number): Promise<Record<string, unknown>> {
  await initBackend({ prefer: 'wasm' });
  const cfg = VIT_TINY;
  const { images, labels } = benchData(cfg);
  const models = [aName, bName].map((n) => {
    const p = createVit(cfg, 1);
    return { name: n, ops: VARIANTS[n], p, opt: createAdamW(p, VARIANTS[n].optimizer), cpu: [] as number[], wall: [] as number[], losses: [] as number[] };
  });
  for (let i = 0; i < rounds + 1; i++) {
    for (const m of models) {
      const c0 = threadCpuMs()!;
      const t0 = performance.now();
      m.losses.push(round(trainStep(m.p, m.opt, images, labels, cfg, m.ops), 5));
      if (i === 0) continue; // warm-up
      m.cpu.push(threadCpuMs()! - c0);
      m.wall.push(round(performance.now() - t0, 1));
    }
    if (i > 0) console.log(`cpu A/B round ${i}: ${models.map((m) => `${m.name} ${m.cpu.at(-1)} ms CPU`).join(', ')}`);
  }
  models.forEach((m) => disposeVit(m.p, m.opt));
  tf.dispose([images, labels]);
  const out = Object.fromEntries(models.map((m) => [m.name, { cpuMs: m.cpu, medianCpuMs: median(m.cpu), wallMs: m.wall, losses: m.losses }]));
  return { variants: [aName, bName], rounds, loadavg: os.loadavg().map((x) => round(x, 2)), ...out, cpuRatio: round(median(models[0].cpu) / median(models[1].cpu), 3) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [aName, bName] = (process.env.BENCH_AB ?? 'fastUnfused,fast').split(',');
  const result = await cpuAB(aName, bName, Number(process.env.BENCH_AB_ROUNDS ?? 4));
  console.log(JSON.stringify(result));
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../bench/results/core.json');
  const prev = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> & { vitStep: Record<string, unknown> };
  const { name: _n, machine: _m, ...rest } = prev;
  (rest.vitStep as Record<string, unknown>).cpuAB = result;
  writeBenchResult('core', rest);
}
