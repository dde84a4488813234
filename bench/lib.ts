// Shared benchmark helpers (not shipped in any package): machine info, timing, and atomic
// JSON result files under bench/results/. Package benches import this by relative path.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Prng } from '@babelrs/datasets';

export const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

export interface MachineInfo {
  node: string;
  platform: string;
  arch: string;
  cpuModel: string;
  cpus: number;
  totalMemGiB: number;
  date: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    date: new Date().toISOString(),
  };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `fn` `warmup` times untimed, then `runs` times; returns each run's wall time in ms. */
export async function timeRuns(fn: () => unknown | Promise<unknown>, opts: { runs?: number; warmup?: number } = {}): Promise<number[]> {
  const { runs = 5, warmup = 1 } = opts;
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/**
 * Writes `bench/results/<name>.json` atomically (temp file + rename), with machine info, so a
 * crashed bench never leaves a half-written result that looks valid.
 */
export function writeBenchResult(name: string, results: Record<string, unknown>): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  const body = { name, machine: machineInfo(), ...results };
  fs.writeFileSync(tmp, JSON.stringify(body, null, 2) + '\n');
  fs.renameSync(tmp, file);
  console.log(`bench: wrote ${path.relative(process.cwd(), file)}`);
  return file;
}

/**
 * The benches' synthetic data generator: datasets' seeded `Prng` started at the raw mulberry32
 * state `seed` (not for tests: tests seed `Prng` / core's `Rng` directly).
 */
export function mulberry32(seed: number): () => number {
  const prng = Prng.fromState(seed >>> 0);
  return () => prng.next();
}
