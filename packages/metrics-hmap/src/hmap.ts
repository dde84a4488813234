/**
 * H-mAP (harmonic modality mAP, BabelRS / SOI-Det): the harmonic mean of the per-modality
 * mAPs, |M| / Σ_m 1/mAP_m, and 0 when any modality's mAP is 0 (one failed modality sinks the
 * score, which is the point of the metric). An undefined (NaN) modality mAP — the devkit's
 * all-point `dota` variant with a class without positives — makes H-mAP NaN too: reporting 0
 * would claim a modality failed when its number is merely undefined (a 0 still wins).
 * No modality at all: H-mAP is undefined (NaN; `null` in the JSON, `-` in the tables), not 0.
 */
export function harmonicModalityMap(modalityMaps: Record<string, number> | readonly number[]): number {
  const values = Array.isArray(modalityMaps) ? [...modalityMaps] : Object.values(modalityMaps);
  if (values.length === 0) return Number.NaN;
  // A modality with no skill sinks the score whatever the others are (the spec's rule).
  if (values.some((v) => v <= 0)) return 0;
  let inv = 0;
  for (const v of values) inv += 1 / v; // NaN propagates
  return values.length / inv;
}
