import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT_USAGE, runCli } from './main.js';
import { parseDemoOptions } from './commands/demo.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('parseDemoOptions', () => {
  it('turns the command-line strings into typed options', () => {
    expect(parseDemoOptions({ out: 'x/y', seed: '7', images: '24', steps: '50', batch: '16', precision: 'bf16', backend: 'cpu' })).toEqual({
      out: 'x/y',
      seed: 7,
      images: 24,
      steps: 50,
      batch: 16,
      precision: 'bf16',
      backend: 'cpu',
    });
    expect(parseDemoOptions({})).toEqual({});
  });

  it.each([
    [{ batch: '6' }, /--batch: must be a multiple of 4 \(each 4 crops are 2 SAR, 1 RGB, 1 IR\), got 6/],
    [{ batch: '0' }, /--batch: must be an integer ≥ 4/],
    [{ steps: '1.5' }, /--steps: expected an integer, got "1.5"/],
    [{ steps: 'many' }, /--steps: expected an integer, got "many"/],
    [{ images: '5' }, /--images: must be an integer ≥ 10 \(so that the train and test splits each get an image\), got 5/],
    [{ seed: '-1' }, /--seed: must be an integer ≥ 0/],
    [{ precision: 'fp8' }, /--precision: expected one of fp32, fp16, bf16, got "fp8"/],
    [{ backend: 'gpu' }, /--backend: unknown backend 'gpu'/],
    [{ out: ' ' }, /--out: expected a folder path/],
  ])('rejects %j with a message naming the option', (raw, message) => {
    expect(() => parseDemoOptions(raw)).toThrow(message);
  });
});

describe('runCli', () => {
  it('prints help listing both commands and exits 0', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/info/);
    expect(r.out).toMatch(/demo/);
  });

  it('prints the package version', async () => {
    const r = await cli('--version');
    expect(r.code).toBe(0);
    const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(r.out).toBe(pkg.version);
    expect(r.out).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('documents every demo option with its default', async () => {
    const r = await cli('demo', '--help');
    expect(r.code).toBe(0);
    for (const flag of ['--out', '--seed', '--images', '--steps', '--batch', '--precision', '--backend']) expect(r.out).toContain(flag);
    expect(r.out).toMatch(/default: "fp16"/);
  });

  it('exits with the usage code and a readable message on a bad value, before doing any work', async () => {
    const r = await cli('demo', '--batch', '6', '--out', '/nonexistent/never-created');
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toBe('babelrs: --batch: must be a multiple of 4 (each 4 crops are 2 SAR, 1 RGB, 1 IR), got 6');
  });

  it('exits with the usage code on an unknown command or option', async () => {
    expect((await cli('train')).code).toBe(EXIT_USAGE);
    const r = await cli('demo', '--epochs', '3');
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toMatch(/unknown option '--epochs'/);
  });

  it('runs info and reports the backend it chose as JSON', async () => {
    const r = await cli('info', '--backend', 'cpu', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.backend).toBe('cpu');
    expect(report.requested).toBe('cpu');
  });
});
