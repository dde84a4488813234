// LayerNorm over the last dimension with a hand-written gradient. The forward pass issues the
// same ops in the same order as the unfused form (so values are bit-identical); the backward
// pass is the closed form
//   dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)),  ĝ = dy · weight,
//   dweight = Σ_rows dy · x̂,  dbias = Σ_rows dy,
// 11 kernels instead of the ~25 tfjs's tape issues (reductions of broadcast scalars included).
import type { GradSaveFunc, Tensor } from '@tensorflow/tfjs';
import { tf } from '../backend/tf.js';
import { sumColumns } from './linear-2d.js';

type Grad = Parameters<typeof tf.customGrad>[0];

/** x̂ and 1/σ of the unfused forward; shared by both variants. */
function normalise(x: Tensor, eps: number): { xhat: Tensor; rstd: Tensor } {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true); // biased, like torch
  const rstd = tf.rsqrt(tf.add(variance, eps)); // [..., 1]
  return { xhat: tf.mul(centred, rstd), rstd };
}

/** dL/dx from dL/dx̂ (ĝ). */
function inputGrad(g: Tensor, xhat: Tensor, rstd: Tensor): Tensor {
  const m1 = tf.mean(g, -1, true);
  const m2 = tf.mean(tf.mul(g, xhat), -1, true);
  return tf.mul(tf.sub(tf.sub(g, m1), tf.mul(xhat, m2)), rstd);
}

/** Σ over every axis but the last: [..., C] → [C] (wasm's axis-0 Sum would transpose first). */
function sumRows(t: Tensor): Tensor {
  return sumColumns(t.reshape([-1, t.shape[t.rank - 1]]));
}

const cache = new Map<string, (...xs: Tensor[]) => Tensor>();

function affineLayerNorm(eps: number): (x: Tensor, w: Tensor, b: Tensor) => Tensor {
  const key = `affine:${eps}`;
  let f = cache.get(key);
  if (!f) {
    f = tf.customGrad(((...args: Array<Tensor | GradSaveFunc>) => {
      const [x, w, b, save] = args as [Tensor, Tensor, Tensor, GradSaveFunc];
      const { xhat, rstd } = normalise(x, eps);
      save([xhat, rstd, w]);
      return {
        value: tf.add(tf.mul(xhat, w), b),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [sx, sr, sw] = saved;
          return [inputGrad(tf.mul(dy, sw), sx, sr), sumRows(tf.mul(dy, sx)), sumRows(dy)];
        },
      };
    }) as Grad) as (...xs: Tensor[]) => Tensor;
    cache.set(key, f);
  }
  return f as (x: Tensor, w: Tensor, b: Tensor) => Tensor;
}

function plainLayerNorm(eps: number): (x: Tensor) => Tensor {
  const key = `plain:${eps}`;
  let f = cache.get(key);
  if (!f) {
    f = tf.customGrad(((...args: Array<Tensor | GradSaveFunc>) => {
      const [x, save] = args as [Tensor, GradSaveFunc];
      const { xhat, rstd } = normalise(x, eps);
      save([xhat, rstd]);
      return { value: xhat, gradFunc: (dy: Tensor, saved: Tensor[]) => inputGrad(dy, saved[0], saved[1]) };
    }) as Grad) as (...xs: Tensor[]) => Tensor;
    cache.set(key, f);
  }
  return f as (x: Tensor) => Tensor;
}

/**
 * (x − mean) / √(var + eps) · weight + bias over the last dim, var biased (torch semantics).
 * x: [..., C]; weight, bias: [C] or absent. Weight without bias or bias without weight fall back
 * to the same math composed from tfjs ops.
 */
export function layerNorm(x: Tensor, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  const c = x.shape[x.rank - 1];
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && (t.rank !== 1 || t.shape[0] !== c)) throw new Error(`layerNorm: ${name} must be [${c}] for input [${x.shape}], got [${t.shape}]`);
  }
  if (x.dtype !== 'float32') throw new Error(`layerNorm: input must be float32, got ${x.dtype}`);
  if (weight && bias) return affineLayerNorm(eps)(x, weight, bias);
  if (!weight && !bias) return plainLayerNorm(eps)(x);
  return tf.tidy(() => {
    let y = plainLayerNorm(eps)(x);
    if (weight) y = tf.mul(y, weight);
    if (bias) y = tf.add(y, bias);
    return y;
  });
}

/** The same LayerNorm composed from tfjs ops (tape gradients): the reference in tests and benches. */
export function layerNormUnfused(x: Tensor, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  return tf.tidy(() => {
    const { xhat } = normalise(x, eps);
    let y = xhat;
    if (weight) y = tf.mul(y, weight);
    if (bias) y = tf.add(y, bias);
    return y;
  });
}
