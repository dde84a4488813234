// Benchmark of @babelrs/csia. Sections (all by default; pick with argv, e.g. `align lm`):
//   align  — the tiny preset pretrained on mini-SOI for 150 steps (a fixed count, so the result
//            does not depend on the machine's load; CPU seconds are recorded beside wall time): loss curve, held-out
//            counting / classification accuracy per modality, cross-modal retrieval before →
//            after, step time and tokens/s (wasm backend)
//   lm     — Qwen2 forward at the Qwen2.5-0.5B shape (random weights, T = 128) on wasm, beside
//            PyTorch CPU (bench/qwen2_forward_torch.py: OpenBLAS SkylakeX, 2 threads)
//   pieces — pixel shuffle at InternViT-300M size and the response-only loss (cpu and wasm)
// Run: npm run bench -w @babelrs/csia [-- align lm pieces] → bench/results/csia.json (repo root).
// The machine is shared: loadavg is recorded with every section.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { QWEN2_5_0_5B, Qwen2ForCausalLM, buildLossMask, pixelShuffle, responseOnlyCrossEntropy } from '@babelrs/csia';
import { RESULTS_DIR, median, timeRuns, writeBenchResult } from '../../../bench/lib.js';
import { runAlignment } from './align-run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = new Set(process.argv.slice(2).filter((a) => !a.startsWith('-')));
const run = (name: string) => wanted.size === 0 || wanted.has(name);
const log = (line: string) => console.log(`[csia bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

async function align(): Promise<Record<string, unknown>> {
  await initBackend({ prefer: 'wasm' });
  const { result, tensorsLeft } = await runAlignment({ trainScenes: 200, evalScenes: 40, steps: 150, trainBudgetSec: 1200, evalPerGroup: 40, log });
  return { backend: tf.getBackend(), ...result, tensorsLeftAfterDispose: tensorsLeft };
}

async function lmForward(): Promise<Record<string, unknown>> {
  const seq = 128;
  await initBackend({ prefer: 'wasm' });
  const load0 = os.loadavg();
  let t0 = performance.now();
  const lm = new Qwen2ForCausalLM(QWEN2_5_0_5B, { seed: 0 }).eval();
  const buildMs = performance.now() - t0;
  log(`Qwen2.5-0.5B shape built: ${(lm.numParameters() / 1e6).toFixed(1)} M parameters in ${(buildMs / 1000).toFixed(1)} s`);
  const ids = tf.tensor2d(Int32Array.from({ length: seq }, (_, i) => (i * 7919) % QWEN2_5_0_5B.vocab_size), [1, seq], 'int32');
  const wasmMs = await timeRuns(() => tf.tidy(() => void lm.forward({ inputIds: ids }).logits.dataSync()), { runs: 3, warmup: 1 });
  log(`wasm forward T=${seq}: ${wasmMs.map((x) => x.toFixed(0)).join(', ')} ms`);
  // one decode step with a cache of 128 (what generate() does per token)
  const cache = lm.newCache();
  tf.tidy(() => void lm.forward({ inputIds: ids, cache }).logits.dataSync());
  t0 = performance.now();
  tf.tidy(() => void lm.forward({ inputIds: tf.tensor2d([[42]], [1, 1], 'int32'), cache }).logits.dataSync());
  const decodeMs = performance.now() - t0;
  cache.dispose();
  ids.dispose();
  const params = lm.numParameters();
  lm.dispose();
  let torch: unknown;
  try {
    const out = execFileSync('/usr/bin/python3', [path.join(here, 'qwen2_forward_torch.py'), String(seq), '3'], {
      env: { ...process.env, OPENBLAS_CORETYPE: 'SkylakeX', OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: '2' },
      encoding: 'utf8',
    });
    torch = JSON.parse(out.trim().split('\n').pop()!);
    log(`torch forward: ${JSON.stringify(torch)}`);
  } catch (e) {
    torch = { error: (e as Error).message.split('\n')[0] };
  }
  const torchMs = (torch as { runs_ms?: number[] }).runs_ms;
  return {
    shape: 'Qwen2.5-0.5B (24 layers, hidden 896, 14/2 heads, vocab 151936, tied), float32, batch 1',
    seq,
    parameters: params,
    wasm: { buildMs, forwardMs: wasmMs, forwardMedianMs: median(wasmMs), decodeStepWithCache128Ms: decodeMs },
    torchCpu: torch,
    wasmOverTorch: torchMs ? median(wasmMs) / median(torchMs) : null,
    loadavg: { start: load0, end: os.loadavg() },
  };
}

async function pieces(backend: 'cpu' | 'wasm'): Promise<Record<string, unknown>> {
  await initBackend({ prefer: backend });
  const tokens = tf.randomNormal([2, 1024, 1024]) as tf.Tensor3D;
  const shuffleMs = await timeRuns(() => tf.tidy(() => void pixelShuffle(tokens, 32, 32).dataSync()), { runs: 5 });
  const [b, t, v] = [2, 256, 8192];
  const logits = tf.randomNormal([b, t, v]) as tf.Tensor3D;
  const targets = tf.randomUniform([b, t], 0, v, 'int32') as tf.Tensor2D;
  const mask = buildLossMask([128, 128], [256, 256], t);
  const lossGrad = tf.grad((z: tf.Tensor) => responseOnlyCrossEntropy(z as tf.Tensor3D, targets, mask));
  const lossMs = await timeRuns(() => tf.tidy(() => void lossGrad(logits).dataSync()), { runs: 5 });
  tf.dispose([tokens, logits, targets, mask]);
  return { pixelShuffle_2x1024x1024_ms: median(shuffleMs), responseLossFwdBwd_2x256x8192_ms: median(lossMs), runs: { pixelShuffle: shuffleMs, responseLoss: lossMs }, loadavg: os.loadavg() };
}

// Sections not run this time keep their previous numbers.
const file = path.join(RESULTS_DIR, 'csia.json');
const previous = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
const kept = Object.entries(previous.results ?? {}).filter(([k]) => ['alignment', 'lmForward', 'pieces'].includes(k));
const results: Record<string, unknown> = Object.fromEntries(kept);
if (run('align')) results.alignment = await align();
if (run('lm')) results.lmForward = await lmForward();
if (run('pieces')) results.pieces = { cpu: await pieces('cpu'), wasm: await pieces('wasm') };
writeBenchResult('csia', { tfjs: tf.version.tfjs, note: 'shared 2-core machine; see loadavg per section', results });
