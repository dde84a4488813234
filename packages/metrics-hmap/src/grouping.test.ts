import { describe, expect, it } from 'vitest';
import { stableSortByScoreDesc } from './grouping.js';

describe('stableSortByScoreDesc', () => {
  it('equals a stable comparator sort (score desc, ties in the given order), incl. negatives, ±0, ties', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const scores = Float64Array.from({ length: 3000 }, () => {
      const r = rand();
      return r < 0.3 ? Math.round(rand() * 20) / 20 : r < 0.4 ? -rand() * 5 : r < 0.45 ? (rand() < 0.5 ? 0 : -0) : rand() * 1e6;
    });
    const order = Int32Array.from({ length: scores.length }, (_, i) => scores.length - 1 - i); // reversed input order
    const expected = Array.from(order).sort((a, b) => scores[b] - scores[a]); // Array#sort is stable
    expect(Array.from(stableSortByScoreDesc(scores, order))).toEqual(expected);
  });

  it('handles empty and single inputs', () => {
    expect(Array.from(stableSortByScoreDesc(new Float64Array([]), new Int32Array([])))).toEqual([]);
    expect(Array.from(stableSortByScoreDesc(new Float64Array([0.5]), new Int32Array([0])))).toEqual([0]);
  });
});
