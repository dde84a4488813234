import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../errors.js';
import { configToYaml, loadConfig } from './load-config.js';
import { PRESETS } from './presets.js';
import { runConfigSchema } from './schema.js';
import { pyramidStrides } from '@babelrs/detector';
import { detectorConfigOf } from '../pipeline/stage-adapter.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-config-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function yaml(name: string, text: string): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('presets', () => {
  it('are all valid configs; mini-soi is the default', () => {
    for (const p of Object.values(PRESETS)) expect(runConfigSchema.safeParse(p).success).toBe(true);
    expect(loadConfig()).toEqual(PRESETS['mini-soi']);
  });

  it('soi-det-paper carries the paper settings', () => {
    const c = loadConfig({ preset: 'soi-det-paper' });
    expect(c.pretrain).toMatchObject({ steps: 20_000, lr: 2e-5, schedule: 'cosine', tau: 6000 });
    expect(c.model.layers).toEqual([3, 9, 18, 24]);
    expect(c.finetune).toMatchObject({ lr: 5e-5, weightDecay: 0.05, layerDecay: 0.95, ratios: { sar: 2, rgb: 1, ir: 1 }, precision: 'fp16' });
    expect(c.model.heads).toEqual({ sar: 'gfl', rgb: 'oriented-rcnn', ir: 'oriented-rcnn' });
    expect(loadConfig({ preset: 'soi-det-small' }).model.heads).toEqual({ sar: 'gfl', rgb: 'rotated-fcos', ir: 'rotated-fcos' });
    expect(loadConfig({ preset: 'mini-soi' }).model.heads).toEqual({ sar: 'gfl', rgb: 'rotated-fcos', ir: 'rotated-fcos' });
  });

  it('model.neckScales sets the pyramid (mini-soi: strides 4/8/16); absent, the preset keeps its own', () => {
    expect(pyramidStrides(detectorConfigOf(loadConfig({ preset: 'mini-soi' })))).toEqual([4, 8, 16]);
    expect(pyramidStrides(detectorConfigOf(loadConfig({ preset: 'mini-soi', sets: ['model.neckScales=[4, 2, 1, 0.5]'] })))).toEqual([2, 4, 8, 16]);
    expect(pyramidStrides(detectorConfigOf(loadConfig({ preset: 'soi-det-small' })))).toEqual([4, 8, 16, 32]);
    expect(errorOf(() => loadConfig({ sets: ['model.neckScales=[3]'] })).message).toBe('--set model.neckScales: model.neckScales.0: expected one of 4, 2, 1, 0.5');
  });
});

describe('YAML files with extends and --set', () => {
  it('merges a chain of files over a preset, then --set values parsed as YAML', () => {
    yaml('base.yaml', 'extends: soi-det-small\nfinetune:\n  steps: 100\n  lr: 1.0e-4\n');
    const child = yaml('child.yaml', 'extends: base.yaml\nname: mine\nfinetune:\n  lr: 3.0e-4\nmodel:\n  layers: [2, 12]\n');
    const c = loadConfig({ file: child, sets: ['finetune.batch=16', 'model.fusion=sum', 'data.root="/x y"'] });
    expect(c.name).toBe('mine');
    expect(c.finetune).toMatchObject({ steps: 100, lr: 3e-4, batch: 16, weightDecay: 0.05 });
    expect(c.model).toMatchObject({ preset: 'small', layers: [2, 12], fusion: 'sum' });
    expect(c.data.root).toBe('/x y');
    // round trip through the run folder's config.yaml
    const again = yaml('again.yaml', configToYaml(c));
    expect(loadConfig({ file: again })).toEqual(c);
  });

  it('names the file and key path of an unknown key, with the keys it expected', () => {
    const f = yaml('typo.yaml', 'extends: mini-soi\nfinetune:\n  lrr: 0.1\n');
    const e = errorOf(() => loadConfig({ file: f }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe(`${f}: finetune.lrr: unknown key (expected one of steps, batch, lr, weightDecay, layerDecay, warmupSteps, milestones, maxGradNorm, ratios, precision, workers)`);
  });

  it('names the key and the expectation of a wrong value', () => {
    const f = yaml('bad.yaml', 'finetune:\n  lr: fast\n');
    expect(errorOf(() => loadConfig({ file: f })).message).toBe(`${f}: finetune.lr: expected number, received string`);
    const g = yaml('bad2.yaml', 'model:\n  fusion: best\n');
    expect(errorOf(() => loadConfig({ file: g })).message).toMatch(new RegExp(`^${g.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: model\\.fusion: .*"last"`));
  });

  it('reports a --set mistake as a usage error naming the flag', () => {
    const e = errorOf(() => loadConfig({ sets: ['finetune.stepz=3'] }));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toMatch(/^--set finetune\.stepz: finetune\.stepz: unknown key/);
    expect(errorOf(() => loadConfig({ sets: ['finetune.steps=-3'] })).message).toMatch(/^--set finetune\.steps: finetune\.steps: .*>0/);
    expect(errorOf(() => loadConfig({ sets: ['nonsense'] })).message).toBe('--set nonsense: expected key.path=value (e.g. finetune.lr=1e-4)');
  });

  it('refuses cycles, bad YAML, unknown presets and a preset together with a file', () => {
    yaml('a.yaml', 'extends: b.yaml\n');
    const b = yaml('b.yaml', 'extends: a.yaml\n');
    expect(errorOf(() => loadConfig({ file: b })).message).toMatch(/extends cycle \(b\.yaml → a\.yaml → b\.yaml\)/);
    const broken = yaml('broken.yaml', 'finetune:\n  steps: [1, 2\n');
    expect(errorOf(() => loadConfig({ file: broken })).message).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: invalid YAML`));
    const dup = yaml('dup.yaml', 'seed: 1\nseed: 2\n');
    expect(errorOf(() => loadConfig({ file: dup })).message).toMatch(/dup\.yaml:2:1: invalid YAML: Map keys must be unique/);
    expect(errorOf(() => loadConfig({ preset: 'huge' }))).toBeInstanceOf(UsageError);
    expect(errorOf(() => loadConfig({ preset: 'huge' })).message).toBe('--preset: unknown preset "huge" (expected one of mini-soi, soi-det-small, soi-det-paper)');
    const ext = yaml('ext.yaml', 'extends: nope\n');
    expect(errorOf(() => loadConfig({ file: ext })).message).toBe(`${ext}: extends: "nope" is neither a preset (mini-soi, soi-det-small, soi-det-paper) nor a .yaml file`);
    expect(errorOf(() => loadConfig({ file: path.join(tmp, 'missing.yaml') })).message).toBe(`${path.join(tmp, 'missing.yaml')}: cannot read config file (no such file)`);
    expect(errorOf(() => loadConfig({ sets: ['model.layers=[2,2]'] })).message).toMatch(/model\.layers: expected distinct block numbers/);
    expect(errorOf(() => loadConfig({ sets: ['finetune.batch=8'] })).message).toBe('--set finetune.batch: finetune.batch: must be a multiple of the ratio sum 3 (SAR:RGB:IR = 1:1:1), got 8');
  });
});
