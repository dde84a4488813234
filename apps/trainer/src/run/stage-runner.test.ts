import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@babelrs/core';
import { EXIT_INTERRUPTED, InputError, InterruptedError, TrainingStoppedError } from '../errors.js';
import { CheckpointStore, loadCheckpointDir } from './checkpoint-store.js';
import { EventLog, readEvents } from './event-log.js';
import { runStage, type StageRunOptions } from './stage-runner.js';
import { StopSignal } from './stop-signal.js';
import { ToySession, type ToyOptions } from './toy-session.test-support.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-runner-'));
const here = path.dirname(fileURLToPath(import.meta.url));
let n = 0;

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function runDir(): string {
  const d = path.join(tmp, `run${n++}`);
  fs.mkdirSync(d);
  return d;
}

function opts(dir: string, extra: Partial<StageRunOptions> = {}): StageRunOptions {
  return { store: new CheckpointStore(path.join(dir, 'ck'), 'finetune', 3), events: new EventLog(path.join(dir, 'events.jsonl')), checkpointEvery: 4, nanPatience: 3, progress: { quiet: true }, ...extra };
}

async function run(toy: ToyOptions, o: StageRunOptions): Promise<{ losses: number[]; error?: unknown }> {
  const s = new ToySession(toy);
  const losses: number[] = [];
  try {
    await runStage(s, {
      ...o,
      onStep: (r) => {
        losses.push(r.loss);
        o.onStep?.(r);
      },
    });
    return { losses };
  } catch (error) {
    return { losses, error };
  } finally {
    await s.close();
  }
}

describe('runStage: checkpoints and exact resume', () => {
  it('continues after an interruption with exactly the losses of an uninterrupted run (cpu backend)', async () => {
    const full = await run({ steps: 14 }, opts(runDir()));
    expect(full.losses).toHaveLength(14);
    const dir = runDir();
    const stop = new StopSignal();
    const first = await run({ steps: 14 }, { ...opts(dir, { stop }), onStep: (r) => r.step === 5 && stop.request() });
    expect(first.error).toBeInstanceOf(InterruptedError);
    expect((first.error as Error).message).toMatch(/interrupted at step 6\/14; checkpoint .*step-00000006; continue with --resume/);
    const tensorsBefore = tf.memory().numTensors;
    const second = await run({ steps: 14 }, opts(dir, { resume: true }));
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(second.error).toBeUndefined();
    expect(second.losses).toHaveLength(8);
    expect(second.losses).toEqual(full.losses.slice(6)); // bit-exact
    const steps = readEvents(path.join(dir, 'events.jsonl')).filter((e) => e.type === 'step').map((e) => e.step);
    expect(steps).toEqual([...Array(14).keys()]);
  });

  it('keeps the newest checkpoints only and falls back past one whose weights were changed', async () => {
    const dir = runDir();
    await run({ steps: 16 }, opts(dir));
    const store = new CheckpointStore(path.join(dir, 'ck'), 'finetune');
    expect(store.steps()).toEqual([8, 12, 16]);
    const w = path.join(dir, 'ck', 'step-00000016', 'weights.safetensors');
    const bytes = fs.readFileSync(w);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(w, bytes);
    expect(() => loadCheckpointDir(path.dirname(w))).toThrow(/weights\.safetensors: size or SHA-256 differs from state\.json/);
    const ck = store.loadLatest()!;
    expect(ck.step).toBe(12);
    tf.dispose(Object.values(ck.snapshot.tensors));
  });

  it('refuses a checkpoint whose shapes do not fit, naming the key and both shapes', async () => {
    const dir = runDir();
    await run({ steps: 4 }, opts(dir));
    const r = await run({ steps: 8, inFeatures: 5 }, opts(dir, { resume: true }));
    expect(r.error).toBeInstanceOf(InputError);
    expect((r.error as Error).message).toMatch(/step-00000004: the checkpoint does not fit this config's model: "weight" has shape \[3, 8\] in the checkpoint, the model expects \[3, 5\]/);
  });
});

describe('runStage: non-finite losses', () => {
  it('stops after nanPatience NaN losses in fp32, naming the steps, and leaves the last good checkpoint intact', async () => {
    const dir = runDir();
    const r = await run({ steps: 20, poisonFrom: 9 }, opts(dir));
    expect(r.error).toBeInstanceOf(TrainingStoppedError);
    expect((r.error as Error).message).toMatch(/^finetune: loss is NaN for 3 consecutive steps \(steps 10–12, precision fp32\); stopped\. Last good checkpoint: .*step-00000008$/);
    const store = new CheckpointStore(path.join(dir, 'ck'), 'finetune');
    expect(store.steps()).toEqual([4, 8]);
    const ck = store.loadLatest()!;
    expect(ck.step).toBe(8);
    for (const t of Object.values(ck.snapshot.tensors)) expect(tf.all(tf.isFinite(t)).dataSync()[0]).toBe(1);
    tf.dispose(Object.values(ck.snapshot.tensors));
    // A run that is stopped cannot be resumed into NaN: resuming replays from step 8 with finite weights.
    const again = await run({ steps: 20 }, opts(dir, { resume: true }));
    expect(again.error).toBeUndefined();
    expect(again.losses.every(Number.isFinite)).toBe(true);
  });
});

/** Runs the child script; resolves with its exit code and output. */
function child(args: string[], onStdout?: (text: string, kill: (sig: NodeJS.Signals) => void) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--conditions=@babelrs/source', path.join(here, 'child-run.test-support.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      onStdout?.(out, (sig) => p.kill(sig));
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

describe('runStage in a real process', () => {
  it('kill -9 in the middle of a checkpoint save leaves the previous checkpoint, which loads and resumes exactly', async () => {
    const dir = runDir();
    let killed = false;
    const r = await child([dir, 'kill-mid-save', '12'], (out, kill) => {
      if (!killed && out.includes('MID-SAVE')) {
        killed = true;
        kill('SIGKILL');
      }
    });
    expect(r.signal).toBe('SIGKILL');
    const ckDir = path.join(dir, 'checkpoints');
    // The second save (step 8) was cut after its weights: only a hidden temp folder holds them.
    expect(fs.readdirSync(ckDir).sort()).toEqual(expect.arrayContaining(['latest.json', 'step-00000004']));
    expect(fs.readdirSync(ckDir).some((f) => f.startsWith('.tmp-step-00000008'))).toBe(true);
    const store = new CheckpointStore(ckDir, 'finetune');
    expect(store.steps()).toEqual([4]);
    const full = await run({ steps: 12 }, opts(runDir()));
    const resumed = await run({ steps: 12 }, { ...opts(dir), store, resume: true });
    expect(resumed.losses).toEqual(full.losses.slice(4));
    expect(fs.readdirSync(ckDir).some((f) => f.startsWith('.tmp-'))).toBe(false);
  }, 30_000);

  it('Ctrl-C saves a checkpoint at the step boundary and exits 130', async () => {
    const dir = runDir();
    let sent = false;
    const r = await child([dir, 'sigint', '400'], (out, kill) => {
      if (!sent && /\[finetune\] step 1\/400/.test(out)) {
        sent = true;
        setTimeout(() => kill('SIGINT'), 100);
      }
    });
    expect(r.code).toBe(EXIT_INTERRUPTED);
    expect(r.err).toMatch(/SIGINT received: saving a checkpoint/);
    expect(r.err).toMatch(/babelrs: finetune: interrupted at step (\d+)\/400; checkpoint .*step-0+\1; continue with --resume/);
    const events = readEvents(path.join(dir, 'events.jsonl'));
    const last = events.at(-1)!;
    expect(last.type).toBe('interrupted');
    const store = new CheckpointStore(path.join(dir, 'checkpoints'), 'finetune');
    expect(store.steps().at(-1)).toBe(last.step);
    expect(last.step).toBeLessThan(400);
  }, 30_000);
});
