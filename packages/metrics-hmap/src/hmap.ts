/**
 * H-mAP (harmonic modality mAP, BabelRS / SOI-Det): the harmonic mean of the per-modality
 * mAPs, |M| / Σ_m 1/mAP_m, and 0 when any modality's mAP is 0 (one failed modality sinks the
 * score, which is the point of the metric).
 */
export function harmonicModalityMap(modalityMaps: Record<string, number> | readonly number[]): number {
  const values = Array.isArray(modalityMaps) ? [...modalityMaps] : Object.values(modalityMaps);
  if (values.length === 0) return 0;
  let inv = 0;
  for (const v of values) {
    if (!(v > 0)) return 0; // 0 or NaN: a modality with no skill
    inv += 1 / v;
  }
  return values.length / inv;
}
