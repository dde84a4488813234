// Runs bench/torch_vit_step.py with Debian's python3-torch (an optional bench dependency) under
// the OpenBLAS settings DESIGN.md §3 prescribes. Where torch is absent the anchor is skipped
// with the reason recorded.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'torch_vit_step.py');
const ENV = { OPENBLAS_CORETYPE: 'SkylakeX', OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: '2' };

export type TorchResult =
  | { available: true; settings: typeof ENV; result: TorchOutput }
  | { available: false; reason: string };

export interface TorchOutput {
  torch: string;
  threads: number;
  vitStep: { depth: number; batch: number; runsMs: number[]; medianMs: number };
  matmul: Array<{ n: number; medianMs: number; gflops: number }>;
}

export function torchAvailable(): { ok: true } | { ok: false; reason: string } {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { ok: false, reason: `${PYTHON} not runnable: ${r.error.message}` };
  if (r.status !== 0) return { ok: false, reason: `${PYTHON} -c 'import torch' failed: ${r.stderr.trim().split('\n').at(-1)}` };
  return { ok: true };
}

export function runTorch(args: string[]): TorchResult {
  const check = torchAvailable();
  if (!check.ok) return { available: false, reason: check.reason };
  const r = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, ...ENV }, timeout: 300_000 });
  if (r.status !== 0) return { available: false, reason: `torch_vit_step.py failed: ${(r.stderr || String(r.error)).trim().split('\n').at(-1)}` };
  return { available: true, settings: ENV, result: JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TorchOutput };
}
