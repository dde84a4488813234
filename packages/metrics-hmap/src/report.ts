/**
 * Reports: the SOI-Det summary table (per modality AP50 / mAP, overall, H-mAP — the shape of
 * the BabelRS / SM3Det headline table), a readable text rendering, and the JSON document the
 * CLI writes.
 */
import type { ModalityEvaluation } from './modality-evaluation.js';

export interface SummaryRow {
  modality: string;
  protocol: string;
  AP50: number | null;
  mAP: number;
}

export interface SoiDetSummary {
  rows: SummaryRow[];
  overall: { AP50: number | null; mAP: number };
  hmap: number;
}

export function soiDetSummary(ev: ModalityEvaluation): SoiDetSummary {
  return {
    rows: Object.entries(ev.perModality).map(([modality, r]) => ({ modality, protocol: r.protocol, AP50: r.AP50 ?? null, mAP: r.mAP })),
    overall: { AP50: ev.AP50 ?? null, mAP: ev.mAP },
    hmap: ev.hmap,
  };
}

/** Percent with two decimals, the way papers print mAP; `-` for missing / NaN. */
function pct(v: number | null | undefined): string {
  return v === null || v === undefined || Number.isNaN(v) ? '-' : (v * 100).toFixed(2);
}

function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The summary as a text table: one column pair AP50/mAP per modality, overall, H-mAP. */
export function formatSummaryTable(s: SoiDetSummary): string {
  const header = ['', ...s.rows.flatMap((r) => [`${r.modality} AP50`, `${r.modality} mAP`]), 'overall AP50', 'overall mAP', 'H-mAP'];
  const row = ['result', ...s.rows.flatMap((r) => [pct(r.AP50), pct(r.mAP)]), pct(s.overall.AP50), pct(s.overall.mAP), pct(s.hmap)];
  return renderTable(header, [row]);
}

/** Per-class table plus the summary, for the terminal. */
export function formatReport(ev: ModalityEvaluation): string {
  const multi = ev.perClass.some((c) => c.modality !== undefined);
  const header = [...(multi ? ['modality'] : []), 'class', 'gts', 'dets', 'AP', 'AP50', 'AP75', 'in mAP'];
  const rows = ev.perClass.map((c) => [
    ...(multi ? [c.modality ?? ''] : []),
    c.name,
    String(c.numGts),
    String(c.numDets),
    pct(c.ap),
    pct(c.ap50),
    pct(c.ap75),
    c.inMap ? 'yes' : 'no',
  ]);
  const parts = [`protocol: ${ev.protocol}`, renderTable(header, rows), ''];
  if (ev.all?.mAPPerThreshold && ev.all.iouThresholds) {
    parts.push(renderTable(['IoU', ...ev.all.iouThresholds.map((t) => t.toFixed(2))], [['mAP', ...ev.all.mAPPerThreshold.map(pct)]]), '');
  }
  if (ev.all?.cocoStats) {
    parts.push(renderTable(['COCO', ...Object.keys(ev.all.cocoStats)], [['all', ...Object.values(ev.all.cocoStats).map((v: number) => (v === -1 ? '-1' : pct(v)))]]), '');
  }
  parts.push(formatSummaryTable(soiDetSummary(ev)));
  if (ev.hmapClassesWithGt !== undefined) {
    parts.push(`mAP over classes with GT: ${pct(ev.mAPClassesWithGt)}  H-mAP (classes with GT): ${pct(ev.hmapClassesWithGt)}`);
  }
  return parts.join('\n');
}

/** The CLI's JSON document: `{ protocol, mAP, perClass: [{ name, ap, … }], perModality: { m: { mAP, … } }, hmap, … }`. */
export function reportJson(ev: ModalityEvaluation): Record<string, unknown> {
  const modalities = Object.fromEntries(
    Object.entries(ev.perModality).map(([m, r]) => [
      m,
      {
        protocol: r.protocol,
        mAP: r.mAP,
        AP50: r.AP50,
        AP75: r.AP75,
        mAPClassesWithGt: r.mAPClassesWithGt,
        iouThresholds: r.iouThresholds,
        mAPPerThreshold: r.mAPPerThreshold,
        cocoStats: r.cocoStats,
        numImages: r.numImages,
        perClass: r.perClass,
      },
    ]),
  );
  return {
    protocol: ev.protocol,
    mAP: ev.mAP,
    AP50: ev.AP50,
    AP75: ev.AP75,
    mAPClassesWithGt: ev.mAPClassesWithGt,
    iouThresholds: ev.all?.iouThresholds,
    mAPPerThreshold: ev.all?.mAPPerThreshold,
    cocoStats: ev.all?.cocoStats,
    perClass: ev.perClass,
    perModality: modalities,
    hmap: ev.hmap,
    hmapClassesWithGt: ev.hmapClassesWithGt,
    summary: soiDetSummary(ev),
    tieBreak: 'score descending; equal scores keep input order (image order, then position; dota: file line order)',
  };
}
