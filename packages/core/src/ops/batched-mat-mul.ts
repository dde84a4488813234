// Batched products op(A_i)·op(B_j) for index pairs (i, j), with the transpose flags folded into
// a hand-written gradient so that every product — forward and backward — is a plain 2-D matmul
// (XNNPACK's fast path on wasm) and as few transposes as possible are made:
//   forward:  transpose only the flagged operands;
//   dA:  !tA: dY·op(B)ᵀ  — op(B)ᵀ is B itself when tB (no transpose);   tA: op(B)·dYᵀ
//   dB:  !tB: op(A)ᵀ·dY  — op(A)ᵀ is A itself when tA (no transpose);   tB: dYᵀ·op(A)
// so attention's Q·Kᵀ backward needs one transpose (of dY) instead of three.
import type { GradSaveFunc, Tensor } from '@tensorflow/tfjs';
import { tf } from '../backend/tf.js';

type Grad = Parameters<typeof tf.customGrad>[0];

/** Swaps the last two dims (rank ≥ 2). */
export function swapLastTwo(t: Tensor): Tensor {
  const perm = [...Array(t.rank).keys()];
  [perm[t.rank - 2], perm[t.rank - 1]] = [perm[t.rank - 1], perm[t.rank - 2]];
  return tf.transpose(t, perm);
}

/** The 2-D matrices of a [n, r, c] tensor (a 2-D tensor is one matrix; no copy for n = 1). */
function matrices(t: Tensor): Tensor[] {
  return t.rank === 2 ? [t] : t.shape[0] === 1 ? [t.reshape(t.shape.slice(1))] : tf.unstack(t);
}

function restack(parts: Tensor[], rank: number): Tensor {
  return rank === 2 ? parts[0] : parts.length === 1 ? parts[0].expandDims(0) : tf.stack(parts);
}

function sumAll(parts: Tensor[]): Tensor {
  return parts.length === 1 ? parts[0] : tf.addN(parts);
}

/**
 * a3: [Ba, M, K] (or [Ba, K, M] if tA), b3: [Bb, K, N] (or [Bb, N, K] if tB) → [P, M, N] with
 * output p = op(a[pairs[p][0]])·op(b[pairs[p][1]]). With rank-2 operands and one pair the
 * result is [M, N]. Gradients sum over every output an operand slice took part in.
 */
export function batchedMatMulFlags(pairs: Array<[number, number]>, tA: boolean, tB: boolean): (a3: Tensor, b3: Tensor) => Tensor {
  return tf.customGrad(((...args: Array<Tensor | GradSaveFunc>) => {
    const [a3, b3, save] = args as [Tensor, Tensor, GradSaveFunc];
    const aP = tA ? swapLastTwo(a3) : a3; // plain [.., M, K]
    const bP = tB ? swapLastTwo(b3) : b3; // plain [.., K, N]
    save([a3, b3, aP, bP]);
    const as = matrices(aP);
    const bs = matrices(bP);
    return {
      value: restack(pairs.map(([i, j]) => tf.matMul(as[i], bs[j])), Math.max(a3.rank, b3.rank)),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sa, sb, saP, sbP] = saved;
        const dys = matrices(dy); // P × [M, N]
        const dyT = tA || tB ? matrices(swapLastTwo(dy)) : []; // P × [N, M]
        const da: Tensor[][] = matrices(sa).map(() => []);
        const db: Tensor[][] = matrices(sb).map(() => []);
        if (!tA) {
          const bT = matrices(tB ? sb : swapLastTwo(sb)); // op(B)ᵀ: [N, K]
          pairs.forEach(([i, j], p) => da[i].push(tf.matMul(dys[p], bT[j]))); // [M, K]
        } else {
          const bPl = matrices(sbP); // op(B): [K, N]
          pairs.forEach(([i, j], p) => da[i].push(tf.matMul(bPl[j], dyT[p]))); // [K, M]
        }
        if (!tB) {
          const aT = matrices(tA ? sa : swapLastTwo(sa)); // op(A)ᵀ: [K, M]
          pairs.forEach(([i, j], p) => db[j].push(tf.matMul(aT[i], dys[p]))); // [K, N]
        } else {
          const aPl = matrices(saP); // op(A): [M, K]
          pairs.forEach(([i, j], p) => db[j].push(tf.matMul(dyT[p], aPl[i]))); // [N, K]
        }
        return [restack(da.map(sumAll), sa.rank), restack(db.map(sumAll), sb.rank)];
      },
    };
  }) as Grad) as (a3: Tensor, b3: Tensor) => Tensor;
}
