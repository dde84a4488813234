// The CLI as a user meets it: help with examples on every command, one-line errors naming the
// file / key / flag, exit codes (usage 2, input 1), conflicting flags refused, nothing written
// when a command fails before its first result, and no stack dump without --debug.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@babelrs/core';
import { generateMiniSoi } from '@babelrs/datasets';
import { loadConfig } from './config/load-config.js';
import { EXIT_INPUT, EXIT_USAGE } from './errors.js';
import { runCli } from './main.js';
import { createDetector, pretrainAvailable, saveDetector } from './pipeline/stage-adapter.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-cli-'));
const here = path.dirname(fileURLToPath(import.meta.url));
const data = path.join(tmp, 'data');
// finetune.steps=1: should a check ever let bad input through, the test still ends quickly.
const NO_PRETRAIN = ['--set', 'pretrain.enabled=false', '--set', 'finetune.steps=1', '--set', `data.root=${data}`, '--set', 'data.kind=soi-det', '--backend', 'cpu', '-q'];

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A copy of the small dataset with one file changed. */
function corrupted(name: string, file: string, edit: (text: string) => string): string {
  const dir = path.join(tmp, name);
  fs.cpSync(data, dir, { recursive: true });
  const f = path.join(dir, file);
  fs.writeFileSync(f, edit(fs.readFileSync(f, 'utf8')));
  return dir;
}

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
  await generateMiniSoi(data, { images: { sar: 10, rgb: 10, ir: 10 }, imageSize: 64, seed: 1, objects: [2, 3], objectScale: 2 });
}, 60_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('help', () => {
  it.each([[[]], [['run']], [['pretrain']], [['finetune']], [['eval']], [['predict']], [['data', 'synth']], [['data', 'tile']], [['data', 'stats']], [['ablate']], [['info']]])(
    'babelrs %j --help shows examples and exits 0',
    async (cmd) => {
      const r = await cli(...cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Examples:\n {2}\$ babelrs /);
    },
  );

  it('lists every command and the exit codes; demo is an alias of run', async () => {
    const r = await cli('--help');
    for (const c of ['run|demo', 'pretrain', 'finetune', 'eval', 'predict', 'data', 'ablate', 'info']) expect(r.out).toContain(c);
    expect(r.out).toMatch(/Exit codes: 0 ok, 1 bad input .* 2 usage, 3\s+training stopped .* 130 interrupted/s);
  });
});

describe('usage errors: exit 2, one line naming the flag', () => {
  it('unknown command or option', async () => {
    expect((await cli('train')).code).toBe(EXIT_USAGE);
    const r = await cli('run', '--epochs', '3');
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toMatch(/unknown option '--epochs'/);
  });

  it('conflicting flags are refused', async () => {
    const a = await cli('run', '--preset', 'mini-soi', '--config', 'x.yaml');
    expect(a.code).toBe(EXIT_USAGE);
    expect(a.err).toMatch(/option '--preset <name>' cannot be used with option '-c, --config <file>'/);
    const b = await cli('run', '--resume', tmp, '--set', 'seed=1');
    expect(b.code).toBe(EXIT_USAGE);
    expect(b.err).toMatch(/option '--resume <dir>' cannot be used with option '--set <key=value>'/);
    expect((await cli('run', '--resume', tmp, '--out', 'x')).code).toBe(EXIT_USAGE);
  });

  it('bad flag values', async () => {
    expect(await cli('run', '--seed', 'x')).toEqual({ code: EXIT_USAGE, out: '', err: 'babelrs: --seed: expected a non-negative integer, got "x"' });
    expect(await cli('run', '--set', 'finetune.lrr=1')).toEqual({ code: EXIT_USAGE, out: '', err: expect.stringMatching(/^babelrs: --set finetune\.lrr: finetune\.lrr: unknown key \(expected one of steps, batch, lr/) });
    expect((await cli('run', '--backend', 'gpu')).code).toBe(EXIT_USAGE);
    expect((await cli('ablate', '--pretraining', 'maybe')).err).toBe('babelrs: --pretraining: expected on, off or on,off, got "maybe"');
    expect(await cli('data', 'synth', '--out', path.join(tmp, 'never0'), '--seed', '-1')).toEqual({ code: EXIT_USAGE, out: '', err: 'babelrs: --seed: expected a non-negative integer, got "-1"' });
    expect((await cli('data', 'tile', data, path.join(tmp, 'never0'), '--size', '32', '--gap', '40')).err).toBe('babelrs: --gap 40: must be smaller than --size 32');
    expect(fs.existsSync(path.join(tmp, 'never0'))).toBe(false);
    expect((await cli('predict', path.join(tmp, 'a.png'), '--weights', 'w.safetensors')).err).toMatch(/^babelrs: .*a\.png: cannot tell the modality from the path .* give --modality sar\|rgb\|ir$/);
  });
});

describe('input errors: exit 1, one line naming the file or key, nothing written', () => {
  it('an unknown key in a config file', async () => {
    const f = path.join(tmp, 'typo.yaml');
    fs.writeFileSync(f, 'extends: mini-soi\nmodel:\n  fusoin: lvsa\n');
    const r = await cli('run', '-c', f, '--out', path.join(tmp, 'never1'));
    expect(r).toEqual({ code: EXIT_INPUT, out: '', err: `babelrs: ${f}: model.fusoin: unknown key (expected one of preset, layers, fusion, heads, neckScales)` });
    expect(fs.existsSync(path.join(tmp, 'never1'))).toBe(false);
  });

  it('a missing dataset folder', async () => {
    const out = path.join(tmp, 'never2');
    const r = await cli('finetune', '--preset', 'soi-det-small', '--set', 'data.root=/nonexistent/SOI-Det', '--set', 'finetune.steps=1', '--backend', 'cpu', '-q', '--out', out);
    expect(r).toEqual({ code: EXIT_INPUT, out: '', err: 'babelrs: data.root: dataset folder not found: /nonexistent/SOI-Det' });
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a malformed annotation line', async () => {
    const root = corrupted('bad-number', 'rgb/labelTxt/train/rgb_00000.txt', (t) => t.replace(/\n(\d)/, '\n0x$1'));
    const out = path.join(tmp, 'never3');
    const r = await cli('finetune', ...NO_PRETRAIN, '--set', `data.root=${root}`, '--set', 'data.kind=soi-det', '--out', out);
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.err).toMatch(new RegExp(`^babelrs: ${root}/rgb/labelTxt/train/rgb_00000\\.txt line 3: coordinate 1 \\(x1\\) is not a finite number: "0x\\d`));
    expect(r.err.split('\n')).toHaveLength(1);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('an unknown class', async () => {
    const root = corrupted('bad-class', 'ir/labelTxt/train/ir_00001.txt', (t) => t.replace(/ (car|truck|bus|van|freight_car) 0\n/, ' spaceship 0\n'));
    const r = await cli('data', 'stats', root);
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.err).toMatch(new RegExp(`^babelrs: ${root}/ir/labelTxt/train/ir_00001\\.txt line \\d+: unknown class "spaceship" \\(expected one of: car`));
  });

  it('an unwritable output folder (below a file, below /proc) fails fast', async () => {
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, '');
    const r = await cli('finetune', ...NO_PRETRAIN, '--out', path.join(file, 'run'));
    expect(r).toEqual({ code: EXIT_INPUT, out: '', err: `babelrs: --out ${path.join(file, 'run')}: ${file} is a file, not a folder` });
    const p = await cli('data', 'synth', '--out', '/proc/babelrs-test/data', '--images', '10');
    expect(p.code).toBe(EXIT_INPUT);
    expect(p.err).toMatch(/^babelrs: --out \/proc\/babelrs-test: cannot write to this folder \(ENOENT\)$/);
  });

  it('weights whose shapes do not fit the config name the key and both shapes', async () => {
    const other = createDetector(loadConfig({ sets: ['data.imageSize=32'] }));
    const w = path.join(tmp, 'small-input.safetensors');
    saveDetector(other, w);
    other.dispose();
    const r = await cli('eval', '--weights', w, ...NO_PRETRAIN, '--out', path.join(tmp, 'never4'));
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.err).toMatch(new RegExp(`^babelrs: ${w}: "backbone\\.pos_embed" has shape \\[1, 16, 96\\], the config's model expects \\[1, 64, 96\\]$`));
    expect(fs.existsSync(path.join(tmp, 'never4'))).toBe(false);
  });

  it('an explicit --out that already holds a run is refused, naming --resume', async () => {
    const dir = path.join(tmp, 'has-run');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'run.json'), '{}');
    const r = await cli('finetune', ...NO_PRETRAIN, '--out', dir);
    expect(r).toEqual({ code: EXIT_INPUT, out: '', err: `babelrs: --out ${dir}: already holds a run (run.json); continue it with --resume ${dir} or choose another folder` });
  });

  it('--resume of a folder that holds no run', async () => {
    expect(await cli('run', '--resume', tmp)).toEqual({ code: EXIT_INPUT, out: '', err: `babelrs: --resume ${tmp}: not a babelrs run folder (no run.json)` });
  });

  it('pretraining asked for on data stage 1 cannot use says so before any work', async () => {
    const out = path.join(tmp, 'never5');
    const r = await cli('run', '--preset', 'soi-det-small', '--set', `data.root=${data}`, '--out', out, '-q');
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.err).toBe(`babelrs: ${pretrainAvailable(loadConfig({ preset: 'soi-det-small', sets: [`data.root=${data}`] }))}`);
    expect(r.err).toMatch(/^babelrs: data\.kind soi-det: stage 1 in this trainer builds its instruction data from the synthetic mini-SOI scenes only/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('the error boundary in a real process', () => {
  function run(args: string[], preload: string[] = []): Promise<{ code: number | null; out: string; err: string }> {
    return new Promise((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', ...preload.flatMap((f) => ['--import', f]), '--conditions=@babelrs/source', path.join(here, 'cli.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('close', (code) => resolve({ code, out, err }));
    });
  }

  it('an exception thrown inside a callback becomes one line and exit 1; --debug adds the stack', async () => {
    const preload = path.join(here, 'throw-in-callback.test-support.ts');
    const r = await run(['data', 'synth', '--out', path.join(tmp, 'cb1'), '--images', '10'], [preload]);
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.err.trim()).toBe('babelrs: RangeError: kernel failed inside a tfjs callback');
    const d = await run(['data', 'synth', '--out', path.join(tmp, 'cb2'), '--images', '10', '--debug'], [preload]);
    expect(d.code).toBe(EXIT_INPUT);
    expect(d.err).toMatch(/^babelrs: RangeError: kernel failed inside a tfjs callback\nRangeError: kernel failed inside a tfjs callback\n\s+at /);
  }, 60_000);
});
