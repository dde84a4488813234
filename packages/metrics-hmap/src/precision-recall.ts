/** Cumulative precision/recall over rank-ordered TP/FP flags, with each reference's guards. */

/** `np.finfo(np.float32).eps`, mmdet's guard on both divisions. */
export const FLOAT32_EPS = 1.1920928955078125e-7;
/** `np.finfo(np.float64).eps`, the DOTA devkit's guard on the precision division. */
export const FLOAT64_EPS = 2.220446049250313e-16;

export interface PrecisionRecall {
  recall: Float64Array;
  precision: Float64Array;
}

/**
 * recall = tp / max(numGts, recallEps) (recallEps 0 = the devkit's plain `tp / npos`, NaN when
 * there are no positives); precision = tp / max(tp + fp, eps).
 */
export function precisionRecall(tp: Uint8Array, fp: Uint8Array, numGts: number, recallEps: number, precisionEps: number): PrecisionRecall {
  const n = tp.length;
  const recall = new Float64Array(n);
  const precision = new Float64Array(n);
  const denom = recallEps > 0 ? Math.max(numGts, recallEps) : numGts;
  let ctp = 0;
  let cfp = 0;
  for (let i = 0; i < n; i++) {
    ctp += tp[i];
    cfp += fp[i];
    recall[i] = ctp / denom;
    precision[i] = ctp / Math.max(ctp + cfp, precisionEps);
  }
  return { recall, precision };
}

/** Mean of the values, 0 for none (mmdet `mean_ap` when no class has positives). */
export function meanOrZero(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}
