// Runs bench/torch_vit_step.py with Debian's python3-torch (an optional bench dependency) under
// the OpenBLAS settings DESIGN.md §3 prescribes. Where torch is absent the anchor is skipped
// with the reason recorded.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
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
  vitStep: { depth: number; batch: number; runsMs: number[]; medianMs: number; peakRssMiB: number };
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

/**
 * The torch step as a server (`torch_vit_step.py --serve`): the bench alternates wasm and torch
 * steps one by one, so load from other processes on a shared machine hits both alike.
 */
export class TorchStepServer {
  private buffer = '';
  private waiting: Array<(line: string) => void> = [];
  private lines: string[] = [];

  private exited: Error | null = null;
  private failWaiting: Array<(e: Error) => void> = [];

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.once('exit', (code) => {
      this.exited = new Error(`torch_vit_step.py --serve exited (${code})`);
      for (const f of this.failWaiting.splice(0)) f(this.exited);
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const w = this.waiting.shift();
        this.failWaiting.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
  }

  static async start(args: string[]): Promise<TorchStepServer | { unavailable: string }> {
    const check = torchAvailable();
    if (!check.ok) return { unavailable: check.reason };
    const child = spawn(PYTHON, [SCRIPT, '--serve', ...args], { env: { ...process.env, ...ENV } });
    const s = new TorchStepServer(child);
    const ready = JSON.parse(await s.nextLine()) as { ready?: boolean };
    if (!ready.ready) return { unavailable: 'torch_vit_step.py --serve did not start' };
    return s;
  }

  private nextLine(): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      this.failWaiting.push(reject);
    });
  }

  /** One step: wall ms and CPU ms (all torch threads together). */
  async step(): Promise<{ ms: number; cpuMs: number }> {
    this.child.stdin.write('step\n');
    return JSON.parse(await this.nextLine()) as { ms: number; cpuMs: number };
  }

  async close(): Promise<{ peakRssMiB: number }> {
    this.child.stdin.write('quit\n');
    const r = JSON.parse(await this.nextLine()) as { peakRssMiB: number };
    this.child.stdin.end();
    return r;
  }
}
