/**
 * One self-contained HTML report per run (opens offline: uPlot and its CSS are inlined, the
 * pictures are data URIs). Sections: the per-modality AP50 / mAP table with overall mAP and
 * H-mAP (and the run without pretraining beside it), loss curves per head and stage, gradient
 * norm and loss scale (the AMP stability view), LVSA α(t), cross-modal retrieval before/after
 * pretraining, and sample detections drawn on images of each modality. Tables are rendered
 * here (so they hold the run's numbers as text); charts are drawn by uPlot in the browser from
 * an embedded JSON block, and each chart element gets `data-rendered` once drawn.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { lvsaAlpha } from '@babelrs/lvsa';
import type { RunEvent } from '../run/event-log.js';
import type { PipelineResult, RunMetrics } from '../pipeline/run-pipeline.js';
import type { EvalSummary } from '../pipeline/stage-adapter.js';
import { drawDetectionsPng } from './draw-detections.js';
import { pct } from './summary-table.js';

const MAX_POINTS = 2000;

export interface ChartSpec {
  id: string;
  title: string;
  /** x values, then one array per series (null = gap, e.g. a NaN loss). */
  data: Array<Array<number | null>>;
  series: string[];
  /** Log-scale y axis (loss scale). */
  logY?: boolean;
}

export async function buildHtmlReport(result: PipelineResult & { metrics: RunMetrics }, events: readonly RunEvent[]): Promise<string> {
  const m = result.metrics;
  const charts = buildCharts(m, events);
  const samples = await Promise.all(
    result.samples.map(async (s) => ({
      modality: s.sample.modality,
      id: s.sample.id,
      detections: s.names.length,
      classes: [...new Set(s.names)].join(', '),
      png: Buffer.from(await drawDetectionsPng(s.sample.imagePath, { boxType: s.boxType, boxes: s.boxes, names: s.names }, { boxType: s.sample.boxType, boxes: s.sample.boxes })).toString('base64'),
    })),
  );
  const require = createRequire(import.meta.url);
  const uplotJs = fs.readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const uplotCss = fs.readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  const json = JSON.stringify({ charts }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>babelrs run ${esc(m.name)}</title>
<style>${uplotCss}
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#222}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th:first-child,td:first-child{text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{min-width:520px}.samples{display:flex;flex-wrap:wrap;gap:12px}
figure{margin:0}figure img{width:256px;image-rendering:pixelated;border:1px solid #999}figcaption{font-size:12px;max-width:256px}
.note{color:#666;font-size:12px}</style>
</head><body>
<h1>babelrs run <code>${esc(m.name)}</code></h1>
<p class="note">preset model <b>${esc(m.config.model.preset)}</b>, fusion <b>${esc(m.config.model.fusion)}</b>, heads SAR ${esc(m.config.model.heads.sar)} / RGB ${esc(m.config.model.heads.rgb)} / IR ${esc(m.config.model.heads.ir)};
pretraining ${m.pretrain ? `${m.pretrain.steps} steps` : 'off'}, fine-tuning ${m.finetune.steps} steps (${esc(m.config.finetune.precision)}); ${m.evaluation.images} evaluation images; ${m.seconds.toFixed(0)} s in all.</p>
<h2>Detection (SOI-Det protocol)</h2>
${metricsTable(m)}
<h2>Training curves</h2>
<div class="charts">${charts.map((c) => `<div class="chart"><h3>${esc(c.title)}</h3><div id="${c.id}" class="uplot-host" data-series="${esc(c.series.join('|'))}" data-points="${c.data[0].length}"></div></div>`).join('\n')}</div>
<h2>Cross-modal retrieval</h2>
${retrievalTable(m)}
<h2>Sample detections</h2>
<p class="note">Detections (score ≥ eval.scoreThreshold) in class colours; ground truth as thin white outlines.</p>
<div class="samples">${samples
    .map((s) => `<figure data-modality="${s.modality}"><img alt="${esc(s.id)}" src="data:image/png;base64,${s.png}"><figcaption>${s.modality.toUpperCase()} ${esc(s.id)}: ${s.detections} detection(s)${s.classes ? ` (${esc(s.classes)})` : ''}</figcaption></figure>`)
    .join('\n')}</div>
<script>${uplotJs}</script>
<script type="application/json" id="report-data">${json}</script>
<script>
(function(){
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var colors = ['#1f77b4','#d62728','#2ca02c','#ff7f0e','#9467bd','#8c564b','#e377c2','#17becf'];
  data.charts.forEach(function(c){
    var el = document.getElementById(c.id);
    var series = [{ label: 'step' }].concat(c.series.map(function(name, i){ return { label: name, stroke: colors[i % colors.length], width: 1.5, spanGaps: false }; }));
    var opts = { width: 520, height: 260, series: series, scales: { x: { time: false }, y: c.logY ? { distr: 3 } : {} }, axes: [{ label: 'step' }, {}] };
    new uPlot(opts, c.data, el);
    el.setAttribute('data-rendered', '1');
  });
  document.body.setAttribute('data-charts-rendered', String(data.charts.length));
})();
</script>
</body></html>
`;
}

function metricsTable(m: RunMetrics): string {
  const cols: Array<[string, EvalSummary]> = [['with pretraining', m.evaluation]];
  if (!m.pretrain) cols[0][0] = 'no pretraining';
  if (m.baseline) cols.push(['without pretraining', m.baseline.evaluation]);
  const head = `<tr><th>modality</th>${cols.map(([n]) => `<th colspan="2">${esc(n)}</th>`).join('')}</tr><tr><th></th>${cols.map(() => '<th>AP50</th><th>mAP</th>').join('')}</tr>`;
  const rows = (['sar', 'rgb', 'ir'] as const)
    .filter((mod) => cols.some(([, e]) => e.perModality[mod]))
    .map((mod) => `<tr data-modality="${mod}"><td>${mod.toUpperCase()} (${esc(cols[0][1].perModality[mod]?.protocol ?? '')})</td>${cols.map(([, e], i) => cell(e.perModality[mod]?.AP50, `${mod}.AP50`, i) + cell(e.perModality[mod]?.mAP, `${mod}.mAP`, i)).join('')}</tr>`);
  rows.push(`<tr data-modality="overall"><td>overall</td>${cols.map(([, e], i) => cell(e.AP50, 'overall.AP50', i) + cell(e.mAP, 'overall.mAP', i)).join('')}</tr>`);
  rows.push(`<tr data-modality="hmap"><td><b>H-mAP</b></td>${cols.map(([, e], i) => `<td></td>${cell(e.hmap, 'hmap', i)}`).join('')}</tr>`);
  return `<table id="metrics-table"><thead>${head}</thead><tbody>${rows.join('\n')}</tbody></table><p class="note">AP in %. SAR: COCO mAP@[.5:.95] on horizontal boxes; RGB / IR: rotated-IoU mAP@[.5:.95] (soi protocol). H-mAP = harmonic mean of the per-modality mAPs.</p>`;
}

function cell(v: number | null | undefined, key: string, col: number): string {
  return `<td data-metric="${key}" data-col="${col}">${pct(v)}</td>`;
}

function retrievalTable(m: RunMetrics): string {
  const { before, after } = m.retrieval;
  if (!before && !after) return `<p id="retrieval" class="note">Not measured in this run (no pretraining): retrieval compares the ViT before and after stage 1.</p>`;
  const dirs = [...new Set([...Object.keys(before?.directions ?? {}), ...Object.keys(after?.directions ?? {})])];
  return `<table id="retrieval"><tr><th>direction</th><th>before</th><th>after</th></tr>${dirs
    .map((d) => `<tr><td>${esc(d)}</td><td>${pct(before?.directions[d])}</td><td>${pct(after?.directions[d])}</td></tr>`)
    .join('')}<tr><td>mean</td><td>${pct(before?.mean)}</td><td>${pct(after?.mean)}</td></tr></table><p class="note">Top-1 accuracy (%) of matching an object's pooled ViT features to the concept prototypes of another modality, on held-out scenes (chance ${pct(after?.chance ?? before?.chance)}), before and after stage 1.</p>`;
}

/** Loss per head for each stage, grad norm + loss scale, LVSA α(t). */
export function buildCharts(m: RunMetrics, events: readonly RunEvent[]): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const byStage = new Map<string, RunEvent[]>();
  for (const e of events) if (e.type === 'step' && typeof e.stage === 'string') (byStage.get(e.stage) ?? byStage.set(e.stage, []).get(e.stage)!).push(e);
  for (const [stage, steps] of byStage) {
    const keys = [...new Set(steps.flatMap((e) => Object.keys((e.losses as Record<string, number>) ?? {})))];
    const x = steps.map((e) => (e.step as number) + 1);
    charts.push(downsample({ id: `chart-loss-${stage}`, title: `${stage}: loss per head`, series: ['total', ...keys], data: [x, steps.map((e) => num(e.loss)), ...keys.map((k) => steps.map((e) => num((e.losses as Record<string, unknown>)?.[k])))] }));
    charts.push(downsample({ id: `chart-grad-${stage}`, title: `${stage}: gradient norm`, series: ['grad norm'], data: [x, steps.map((e) => num(e.gradNorm))] }));
    charts.push(downsample({ id: `chart-scale-${stage}`, title: `${stage}: loss scale (fp16 dynamic scaling)`, series: ['loss scale'], data: [x, steps.map((e) => num(e.lossScale))], logY: true }));
  }
  const pre = byStage.get('pretrain');
  if (pre && pre.some((e) => typeof e.alpha === 'number')) {
    charts.push(downsample({ id: 'chart-alpha', title: 'LVSA α(t) in pretraining', series: ['α'], data: [pre.map((e) => (e.step as number) + 1), pre.map((e) => num(e.alpha))] }));
  } else if (m.config.model.fusion === 'lvsa') {
    const n = m.finetune.steps;
    const xs = Array.from({ length: Math.min(n, MAX_POINTS) }, (_, i) => Math.round((i * n) / Math.min(n, MAX_POINTS)));
    charts.push({ id: 'chart-alpha', title: `LVSA α(t) = min(t/τ, 1), τ = ${m.config.pretrain.tau} (fine-tuning fusion)`, series: ['α'], data: [xs, xs.map((t) => lvsaAlpha(t, m.config.pretrain.tau))] });
  }
  return charts;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Bucket means down to MAX_POINTS points (a gap stays a gap when a bucket has no value). */
function downsample(c: ChartSpec): ChartSpec {
  const n = c.data[0].length;
  if (n <= MAX_POINTS) return c;
  const b = Math.ceil(n / MAX_POINTS);
  const data = c.data.map((col) => {
    const out: Array<number | null> = [];
    for (let i = 0; i < n; i += b) {
      const vals = col.slice(i, i + b).filter((v): v is number => v !== null);
      out.push(vals.length ? vals.reduce((a, v) => a + v, 0) / vals.length : null);
    }
    return out;
  });
  return { ...c, data };
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}
