// The report opened in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
// the tables carry the run's numbers, every chart is drawn by the inlined uPlot, the sample
// pictures decode, and nothing is fetched from the network.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMiniSoi, loadSoiDet } from '@babelrs/datasets';
import { loadConfig } from '../config/load-config.js';
import type { RunEvent } from '../run/event-log.js';
import type { PipelineResult, RunMetrics } from '../pipeline/run-pipeline.js';
import type { EvalSummary } from '../pipeline/stage-adapter.js';
import { buildCharts, buildHtmlReport } from './html-report.js';

// Debian's chromium (CI installs it: see the root README). Without it, outside CI, the browser check is
// skipped with a notice; in CI (CI=true) a missing browser fails the test.
const CHROMIUM = process.env.BABELRS_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI) console.warn(`html-report.test: ${CHROMIUM} not found: the headless-browser check is skipped (apt-get install chromium)`);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-report-'));
let browser: Browser;
let result: PipelineResult & { metrics: RunMetrics };
let events: RunEvent[];

function evalSummary(k: number): EvalSummary {
  return {
    perModality: { sar: { protocol: 'coco', AP50: 0.8123 - k, mAP: 0.4567 - k, images: 4 }, rgb: { protocol: 'soi', AP50: 0.7011 - k, mAP: 0.3902 - k, images: 4 }, ir: { protocol: 'soi', AP50: 0.6544 - k, mAP: 0.3333 - k, images: 4 } },
    mAP: 0.4012 - k,
    AP50: 0.7222 - k,
    hmap: 3 / (1 / (0.4567 - k) + 1 / (0.3902 - k) + 1 / (0.3333 - k)),
    files: [],
    images: 12,
    seconds: 1,
  };
}

beforeAll(async () => {
  const root = path.join(tmp, 'data');
  await generateMiniSoi(root, { images: { sar: 10, rgb: 10, ir: 10 }, imageSize: 64, seed: 2 });
  const { samples } = await loadSoiDet(root, { splits: ['test'] });
  const config = loadConfig({ preset: 'mini-soi' });
  events = [];
  for (let s = 0; s < 30; s++) {
    events.push({ type: 'step', stage: 'pretrain', step: s, loss: 3 - s * 0.05, losses: { lm: 3 - s * 0.05 }, gradNorm: 1 + (s % 3), lossScale: 1, alpha: Math.min(s / 10, 1) });
    events.push({ type: 'step', stage: 'finetune', step: s, loss: s === 7 ? Number.NaN : 6 - s * 0.1, losses: { sar: 2, rgb: 2 - s * 0.02, ir: 2 - s * 0.01 }, gradNorm: 5, lossScale: 65536 / 2 ** (s % 2), overflow: s % 2 === 1, skipped: s % 2 === 1 });
  }
  result = {
    metrics: {
      format: 'babelrs-metrics',
      version: 1,
      name: 'mini-soi',
      config,
      pretrain: { steps: 30, seconds: 3, firstLoss: 3, finalLoss: 1.6, vit: 'vit.safetensors', retrieval: { before: { directions: { 'sar→rgb': 0.25, 'rgb→sar': 0.3 }, mean: 0.275, chance: 0.2 }, after: { directions: { 'sar→rgb': 0.61, 'rgb→sar': 0.58 }, mean: 0.595, chance: 0.2 } } },
      finetune: { steps: 30, seconds: 3, firstLoss: 6, finalLoss: 3, model: 'model.safetensors', init: 'vit.safetensors' },
      evaluation: evalSummary(0),
      baseline: { steps: 30, seconds: 3, firstLoss: 6, finalLoss: 3.5, evaluation: evalSummary(0.1) },
      retrieval: { before: { directions: { 'sar→rgb': 0.25, 'rgb→sar': 0.3 }, mean: 0.275, chance: 0.2 }, after: { directions: { 'sar→rgb': 0.61, 'rgb→sar': 0.58 }, mean: 0.595, chance: 0.2 } },
      seconds: 10,
    },
    pretrain: null,
    samples: samples.map((s) => ({ sample: s, boxType: s.boxType, boxes: s.boxes, scores: new Float32Array(s.labels.length).fill(0.9), names: Array.from(s.labels, (l) => `class${l}`) })),
  };
  if (haveChromium || process.env.CI) browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('HTML report', () => {
  it('builds one chart per stage view (loss per head, grad norm, loss scale) plus LVSA α, with NaN as a gap', () => {
    const charts = buildCharts(result.metrics, events);
    expect(charts.map((c) => c.id)).toEqual(['chart-loss-pretrain', 'chart-grad-pretrain', 'chart-scale-pretrain', 'chart-loss-finetune', 'chart-grad-finetune', 'chart-scale-finetune', 'chart-alpha']);
    const loss = charts[3];
    expect(loss.series).toEqual(['total', 'sar', 'rgb', 'ir']);
    expect(loss.data[0].slice(0, 3)).toEqual([1, 2, 3]);
    expect(loss.data[1][7]).toBeNull();
    expect(charts[6].data[1].slice(0, 12)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1]);
  });

  it.skipIf(!haveChromium && !process.env.CI)('renders offline in headless Chromium with the run numbers, drawn charts and decoded pictures', async () => {
    const html = await buildHtmlReport(result, events);
    const file = path.join(tmp, 'report.html');
    fs.writeFileSync(file, html);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // self-contained
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-charts-rendered]');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    const cell = (metric: string, col: number) => page.locator(`#metrics-table td[data-metric="${metric}"][data-col="${col}"]`).innerText();
    expect(await cell('sar.AP50', 0)).toBe('81.23');
    expect(await cell('rgb.mAP', 0)).toBe('39.02');
    expect(await cell('ir.mAP', 0)).toBe('33.33');
    expect(await cell('overall.mAP', 0)).toBe('40.12');
    expect(await cell('hmap', 0)).toBe((100 * result.metrics.evaluation.hmap!).toFixed(2));
    expect(await cell('hmap', 1)).toBe((100 * result.metrics.baseline!.evaluation.hmap!).toFixed(2));
    expect(await page.locator('#retrieval').innerText()).toMatch(/sar→rgb\s+25\.00\s+61\.00/);
    // Every chart host holds a uPlot canvas with a non-zero size.
    const charts = await page.$$eval('.uplot-host', (els) => els.map((e) => ({ id: e.id, rendered: e.getAttribute('data-rendered'), w: e.querySelector('canvas')?.width ?? 0, legend: e.querySelector('.u-legend')?.textContent ?? '' })));
    expect(charts).toHaveLength(7);
    for (const c of charts) {
      expect(c.rendered).toBe('1');
      expect(c.w).toBeGreaterThan(100);
    }
    expect(charts.find((c) => c.id === 'chart-loss-finetune')!.legend).toMatch(/sar.*rgb.*ir/);
    const pictures = await page.$$eval('figure', (fs) => fs.map((f) => ({ modality: f.getAttribute('data-modality'), w: (f.querySelector('img') as unknown as { naturalWidth: number }).naturalWidth })));
    expect(new Set(pictures.map((p) => p.modality))).toEqual(new Set(['sar', 'rgb', 'ir']));
    for (const p of pictures) expect(p.w).toBe(64);
    await page.close();
  }, 60_000);
});
