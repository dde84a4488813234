/** The table `babelrs run` / `eval` print: per-modality AP50 and mAP, overall mAP, H-mAP. */
import type { EvalSummary } from '../pipeline/stage-adapter.js';

const NAMES: Record<string, string> = { sar: 'SAR', rgb: 'RGB', ir: 'IR' };

export function pct(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '-' : (100 * v).toFixed(2);
}

export function formatEvalTable(e: EvalSummary, title = 'evaluation'): string[] {
  const lines = [`${title} (${e.images} images; AP in %)`, `  modality  protocol    AP50     mAP`];
  for (const m of ['sar', 'rgb', 'ir']) {
    const r = e.perModality[m as keyof EvalSummary['perModality']];
    if (!r) continue;
    lines.push(`  ${NAMES[m].padEnd(8)}  ${r.protocol.padEnd(8)} ${pct(r.AP50).padStart(7)} ${pct(r.mAP).padStart(7)}`);
  }
  lines.push(`  overall            ${pct(e.AP50).padStart(7)} ${pct(e.mAP).padStart(7)}`);
  lines.push(`  H-mAP                      ${pct(e.hmap).padStart(7)}`);
  return lines;
}

/** "pretraining on vs off" in one line, saying plainly which is better and by how much. */
export function formatComparison(on: EvalSummary, off: EvalSummary): string {
  if (on.hmap === null || off.hmap === null) return 'pretraining on vs off: H-mAP not comparable (a modality is missing)';
  const d = 100 * (on.hmap - off.hmap);
  const verdict = d > 0 ? `pretraining helps by ${d.toFixed(2)} points` : d < 0 ? `pretraining does NOT help here: ${(-d).toFixed(2)} points worse` : 'no difference';
  return `pretraining on vs off: H-mAP ${pct(on.hmap)} vs ${pct(off.hmap)} (${verdict})`;
}
