// `babelrs` end to end on a tiny mini-SOI set with the real packages (CSIA pretraining from
// @babelrs/csia, the detector, fine-tuning and evaluation from @babelrs/detector): run → report
// in headless Chromium, eval and predict on the run, Ctrl-C + --resume continuing exactly, and
// a two-variant ablation. Tiny step counts: this checks the plumbing and the numbers' agreement,
// not accuracy (that is `npm start` / the README).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@babelrs/core';
import { generateMiniSoi } from '@babelrs/datasets';
import { readEvents, runCli, type RunMetrics } from '@babelrs/trainer';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-pipeline-'));
const data = path.join(tmp, 'data');
const cliFile = fileURLToPath(new URL('../apps/trainer/src/cli.ts', import.meta.url));
const SYNTH = { images: { sar: 10, rgb: 10, ir: 10 }, imageSize: 64, objects: [2, 4] as [number, number], difficulty: 0, objectScale: 4 };
const TINY = [
  '--set', `data.root=${data}`,
  '--set', `data.synthetic=${JSON.stringify(SYNTH)}`,
  '--set', 'pretrain.steps=2', '--set', 'pretrain.batch=6',
  '--set', 'finetune.steps=3', '--set', 'finetune.warmupSteps=1',
  '--set', 'run.checkpointEvery=2', '--set', 'run.reportSamples=1',
  '--backend', 'wasm', '-q',
];

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

// Debian's chromium (CI installs it); outside CI a missing browser skips only the browser check, with a notice.
const CHROMIUM = process.env.BABELRS_CHROMIUM ?? '/usr/bin/chromium';
const browserCheck = fs.existsSync(CHROMIUM) || Boolean(process.env.CI);
if (!browserCheck) console.warn(`pipeline.test: ${CHROMIUM} not found: the headless-browser check of the report is skipped (apt-get install chromium)`);
const pct = (v: number | null) => (v === null ? '-' : (100 * v).toFixed(2));
const stepLosses = (dir: string, stage: string) => readEvents(path.join(dir, 'events.jsonl')).filter((e) => e.type === 'step' && e.stage === stage).map((e) => [e.step, e.loss]);

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  await generateMiniSoi(data, { seed: 0, ...SYNTH });
}, 120_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('babelrs run: pretrain → fine-tune → baseline → evaluation → report', () => {
  const run = path.join(tmp, 'run');
  let metrics: RunMetrics;
  let printed: string;

  beforeAll(async () => {
    const r = await cli('run', ...TINY, '--out', run);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    printed = r.out;
    metrics = JSON.parse(fs.readFileSync(path.join(run, 'metrics.json'), 'utf8')) as RunMetrics;
  }, 400_000);

  it('writes the run folder: config, status, checkpoints per stage, the aligned ViT, events of every step', () => {
    expect(JSON.parse(fs.readFileSync(path.join(run, 'run.json'), 'utf8')).status).toBe('done');
    expect(fs.readFileSync(path.join(run, 'config.yaml'), 'utf8')).toMatch(/^extends: none$/m);
    for (const [stage, last] of [['pretrain', 2], ['finetune', 3], ['baseline', 3]] as const) {
      expect(JSON.parse(fs.readFileSync(path.join(run, stage, 'checkpoints', 'latest.json'), 'utf8')).step).toBe(last);
      expect(stepLosses(run, stage).map(([s]) => s)).toEqual([...Array(last).keys()]);
    }
    expect(fs.existsSync(path.join(run, 'pretrain', 'vit.safetensors'))).toBe(true);
    const pre = readEvents(path.join(run, 'events.jsonl')).filter((e) => e.stage === 'pretrain' && e.type === 'step');
    expect(pre.every((e) => typeof e.alpha === 'number' && (e.alpha as number) >= 0 && (e.alpha as number) <= 1)).toBe(true);
    expect(metrics.finetune.init).toBe(path.join(run, 'pretrain', 'vit.safetensors'));
    expect(metrics.baseline).not.toBeNull();
    expect(metrics.retrieval.before!.mean).toBeGreaterThanOrEqual(0);
    expect(Object.keys(metrics.retrieval.after!.directions).length).toBeGreaterThan(0);
    for (const m of ['sar', 'rgb', 'ir'] as const) expect(metrics.evaluation.perModality[m]!.protocol).toBe(m === 'sar' ? 'coco' : 'soi');
    // standard result files of the evaluation
    expect(fs.readdirSync(path.join(run, 'eval', 'finetune', 'rgb', 'Task1')).length).toBeGreaterThan(0);
  });

  it('prints the per-modality table, the comparison and the report path with the numbers of metrics.json', () => {
    const e = metrics.evaluation;
    expect(printed).toMatch(new RegExp(`SAR\\s+coco\\s+${pct(e.perModality.sar!.AP50)}\\s+${pct(e.perModality.sar!.mAP)}`));
    expect(printed).toMatch(new RegExp(`IR\\s+soi\\s+${pct(e.perModality.ir!.AP50)}\\s+${pct(e.perModality.ir!.mAP)}`));
    expect(printed).toMatch(new RegExp(`H-mAP\\s+${pct(e.hmap)}`));
    expect(printed).toMatch(/pretraining on vs off: H-mAP /);
    expect(printed).toContain(`report: ${path.join(run, 'report.html')}`);
  });

  it.skipIf(!browserCheck)('the report renders in headless Chromium with the same numbers, every chart drawn and a picture per modality', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    try {
      const page = await browser.newPage();
      await page.goto(`file://${path.join(run, 'report.html')}`);
      await page.waitForSelector('body[data-charts-rendered]');
      const cell = (k: string, col = 0) => page.locator(`#metrics-table td[data-metric="${k}"][data-col="${col}"]`).innerText();
      for (const m of ['sar', 'rgb', 'ir'] as const) {
        expect(await cell(`${m}.AP50`)).toBe(pct(metrics.evaluation.perModality[m]!.AP50));
        expect(await cell(`${m}.mAP`)).toBe(pct(metrics.evaluation.perModality[m]!.mAP));
      }
      expect(await cell('hmap')).toBe(pct(metrics.evaluation.hmap));
      expect(await cell('hmap', 1)).toBe(pct(metrics.baseline!.evaluation.hmap));
      const rendered = await page.$$eval('.uplot-host', (els) => els.map((e) => `${e.id}:${e.getAttribute('data-rendered')}:${(e.querySelector('canvas')?.width ?? 0) > 0}`));
      expect(rendered.sort()).toEqual(
        ['alpha', 'grad-baseline', 'grad-finetune', 'grad-pretrain', 'loss-baseline', 'loss-finetune', 'loss-pretrain', 'scale-baseline', 'scale-finetune', 'scale-pretrain'].map((id) => `chart-${id}:1:true`),
      );
      expect(await page.locator('#retrieval').innerText()).toContain(pct(metrics.retrieval.after!.mean));
      const pics = await page.$$eval('figure', (fs) => fs.map((f) => `${f.getAttribute('data-modality')}:${(f.querySelector('img') as unknown as { naturalWidth: number }).naturalWidth}`));
      expect(pics.sort()).toEqual(['ir:64', 'rgb:64', 'sar:64']);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('eval on the run folder reproduces the run numbers; predict writes pictures and result files', async () => {
    const e = await cli('eval', run, '--json', '-q');
    expect(e.code).toBe(0);
    const again = JSON.parse(e.out.slice(0, e.out.lastIndexOf('}') + 1));
    expect(again.perModality).toEqual(metrics.evaluation.perModality);
    expect(again.hmap).toBe(metrics.evaluation.hmap);
    const sarImg = path.join(data, 'sar', 'images', 'test', fs.readdirSync(path.join(data, 'sar', 'images', 'test'))[0]);
    const rgbImg = path.join(data, 'rgb', 'images', 'test', fs.readdirSync(path.join(data, 'rgb', 'images', 'test'))[0]);
    const out = path.join(tmp, 'preds');
    const p = await cli('predict', '--run', run, sarImg, rgbImg, '--out', out, '-q');
    expect(p.code).toBe(0);
    const files = fs.readdirSync(out);
    expect(files).toEqual(expect.arrayContaining(['sar_00009.png', 'rgb_00009.png']));
    expect(fs.readFileSync(path.join(out, 'rgb_00009.png')).subarray(1, 4).toString()).toBe('PNG');
    const sar = JSON.parse(fs.readFileSync(path.join(out, 'sar_results.json'), 'utf8')) as { images: Array<{ file_name: string }>; results: Array<{ image_id: number; bbox: number[] }> };
    expect(sar.images).toEqual([{ id: 1, file_name: 'sar_00009.png', width: 64, height: 64 }]);
    for (const det of sar.results) expect(det.image_id).toBe(1), expect(det.bbox).toHaveLength(4);
    expect(p.out).toMatch(/sar_00009\.png: \d+ detection\(s\)/);
  }, 120_000);
});

/** Runs `args` uninterrupted, and again in a child process stopped by SIGINT after step 2, then resumed. */
async function interruptAndResume(name: string, args: string[], stage: string): Promise<{ full: string; cut: string }> {
  const full = path.join(tmp, `${name}-full`);
  expect((await cli(...args, '--out', full)).code).toBe(0);
  const cut = path.join(tmp, `${name}-cut`);
  const child = await new Promise<{ code: number | null; err: string }>((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--conditions=@babelrs/source', cliFile, ...args.filter((a) => a !== '-q'), '--out', cut], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let sent = false;
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (!sent && new RegExp(`\\[${stage}\\] step 2/4`).test(err)) {
        sent = true;
        p.kill('SIGINT');
      }
    });
    p.on('close', (code) => resolve({ code, err }));
  });
  expect(child.code).toBe(130);
  expect(child.err).toMatch(new RegExp(`babelrs: ${stage}: interrupted at step [23]/4; checkpoint .*; continue with --resume`));
  expect(JSON.parse(fs.readFileSync(path.join(cut, 'run.json'), 'utf8')).status).toBe('interrupted');
  const r = await cli(args[0], '--resume', cut, '-q');
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  expect(stepLosses(cut, stage)).toHaveLength(4);
  expect(stepLosses(cut, stage)).toEqual(stepLosses(full, stage));
  return { full, cut };
}

describe('Ctrl-C and --resume with the real packages (wasm backend)', () => {
  it('an interrupted fine-tuning continues with exactly the losses of an uninterrupted one', async () => {
    const { full, cut } = await interruptAndResume('ft', ['finetune', '--init', 'none', ...TINY, '--set', 'finetune.steps=4', '--set', 'run.checkpointEvery=1'], 'finetune');
    const m = (d: string) => (JSON.parse(fs.readFileSync(path.join(d, 'metrics.json'), 'utf8')) as RunMetrics).evaluation;
    expect(m(cut).perModality).toEqual(m(full).perModality);
  }, 400_000);

  it('an interrupted CSIA pretraining continues with exactly the losses (and the same exported ViT)', async () => {
    const { full, cut } = await interruptAndResume('pre', ['pretrain', ...TINY, '--set', 'pretrain.steps=4', '--set', 'run.checkpointEvery=1'], 'pretrain');
    const vit = (d: string) => fs.readFileSync(path.join(d, 'pretrain', 'vit.safetensors'));
    expect(vit(cut).equals(vit(full))).toBe(true);
  }, 400_000);
});

describe('babelrs ablate', () => {
  it('runs a two-variant matrix into one table (Markdown, CSV, JSON) with each variant\'s numbers', async () => {
    const out = path.join(tmp, 'ablate');
    const r = await cli('ablate', '--fusion', 'last,lvsa', '--pretraining', 'off', ...TINY, '--set', 'finetune.steps=2', '--out', out);
    expect(r.code).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'table.json'), 'utf8')) as { rows: Array<{ variant: string; evaluation: RunMetrics['evaluation'] }> };
    expect(json.rows.map((x) => x.variant)).toEqual(['fusion-last_enabled-off', 'fusion-lvsa_enabled-off']);
    for (const row of json.rows) {
      const m = JSON.parse(fs.readFileSync(path.join(out, 'variants', row.variant, 'metrics.json'), 'utf8')) as RunMetrics;
      expect(row.evaluation).toEqual(m.evaluation);
      expect(m.config.model.fusion).toBe(row.variant.includes('lvsa') ? 'lvsa' : 'last');
      expect(m.pretrain).toBeNull();
    }
    const md = fs.readFileSync(path.join(out, 'table.md'), 'utf8');
    expect(md.split('\n')[0]).toBe('| variant | model.fusion | pretrain.enabled | sar AP50 | sar mAP | rgb AP50 | rgb mAP | ir AP50 | ir mAP | mAP | H-mAP | seconds |');
    expect(md).toContain(`| fusion-lvsa_enabled-off | lvsa | false | ${pct(json.rows[1].evaluation.perModality.sar!.AP50)} |`);
    expect(r.out).toContain(md.split('\n')[2]);
    expect(fs.readFileSync(path.join(out, 'table.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
  }, 400_000);
});

describe('babelrs data', () => {
  it('stats counts images, objects and classes of each split; tile cuts a DOTA folder', async () => {
    const s = await cli('data', 'stats', data, '--json');
    expect(s.code).toBe(0);
    const stats = JSON.parse(s.out) as { splits: Record<string, { images: number; objects: number }> };
    expect(stats.splits['sar/train'].images).toBe(8);
    expect(stats.splits['ir/test'].images).toBe(1);
    const dota = path.join(tmp, 'dota');
    fs.cpSync(path.join(data, 'rgb', 'images', 'train'), path.join(dota, 'images'), { recursive: true });
    fs.cpSync(path.join(data, 'rgb', 'labelTxt', 'train'), path.join(dota, 'labelTxt'), { recursive: true });
    const t = await cli('data', 'tile', dota, path.join(tmp, 'tiles'), '--size', '48', '--gap', '16');
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/^tiled 8 images into 32 tiles of 48 px \(gap 16\)/);
    expect(fs.readdirSync(path.join(tmp, 'tiles', 'images'))).toHaveLength(32);
  }, 60_000);
});
