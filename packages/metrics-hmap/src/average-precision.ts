/**
 * Average precision from a precision/recall curve, the two VOC rules.
 * Both take the curve point by point (one point per ranked detection, ignored ones included,
 * exactly as the references keep them).
 */

/**
 * The VOC07 11-point thresholds. `i * 0.1` reproduces numpy's `arange(0, 1 + 1e-3, 0.1)`
 * bit for bit: 0.30000000000000004, 0.6000000000000001 and 0.7000000000000001 lie above 3/10,
 * 6/10 and 7/10, so a recall of exactly 0.3 does NOT reach the 4th threshold. `i / 10` would.
 */
export const ELEVEN_POINT_THRESHOLDS: readonly number[] = Array.from({ length: 11 }, (_, i) => i * 0.1);

/** VOC07 11-point AP: mean over t of max(precision where recall ≥ t), 0 where none. */
export function elevenPointAP(recall: ArrayLike<number>, precision: ArrayLike<number>): number {
  let sum = 0;
  for (const t of ELEVEN_POINT_THRESHOLDS) {
    let best = 0;
    let any = false;
    for (let i = 0; i < recall.length; i++) {
      // NaN recall (devkit with no positives) never qualifies, as in numpy.
      if (recall[i] >= t && (!any || precision[i] > best)) {
        best = precision[i];
        any = true;
      }
    }
    sum += best;
  }
  return sum / 11;
}

/**
 * All-point ("area") AP: sentinels (0, …, 1) on recall and (0, …, 0) on precision, the
 * right-to-left precision envelope, then Σ Δrecall · precision where recall changes.
 * NaN recall (devkit, no positives) propagates to NaN, as in the reference.
 */
export function areaAP(recall: ArrayLike<number>, precision: ArrayLike<number>): number {
  const n = recall.length;
  const mpre = new Float64Array(n + 2);
  for (let i = 0; i < n; i++) mpre[i + 1] = precision[i];
  for (let i = n + 1; i > 0; i--) if (mpre[i] > mpre[i - 1]) mpre[i - 1] = mpre[i];
  const mrec = (i: number): number => (i === 0 ? 0 : i === n + 1 ? 1 : recall[i - 1]);
  let ap = 0;
  for (let i = 0; i <= n; i++) {
    const r0 = mrec(i);
    const r1 = mrec(i + 1);
    if (r1 !== r0) ap += (r1 - r0) * mpre[i + 1];
  }
  return ap;
}
