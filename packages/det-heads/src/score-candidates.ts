// Host-side selection of detection candidates from one level's scores, as mmdet's
// filter_scores_and_topk: every (point, class) pair above the threshold, best `topK` kept.

export interface Candidate {
  point: number;
  label: number;
  score: number;
}

/** scores: [numPoints, K] row-major probabilities starting at `offset`. */
export function topCandidates(scores: ArrayLike<number>, offset: number, numPoints: number, k: number, threshold: number, topK: number): Candidate[] {
  const out: Candidate[] = [];
  for (let i = 0; i < numPoints; i++) {
    for (let c = 0; c < k; c++) {
      const s = scores[offset + i * k + c];
      if (s > threshold) out.push({ point: i, label: c, score: s });
    }
  }
  // Stable: equal scores keep (point, class) order.
  out.sort((a, b) => b.score - a.score);
  return out.length > topK ? out.slice(0, topK) : out;
}
