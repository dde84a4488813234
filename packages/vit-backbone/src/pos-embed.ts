// Absolute position-embedding resampling, as timm's `resample_abs_pos_embed`: prefix tokens
// (class / register tokens) are kept, the grid tokens are resized with PyTorch's bicubic
// interpolation (F.interpolate, mode='bicubic', align_corners=False), with or without
// antialias. Written over Float32Array in float64 arithmetic so it matches PyTorch to float32
// rounding; it runs once per resize, not per step, so speed does not matter.
import * as tf from '@tensorflow/tfjs';
import { matMul } from '@babelrs/core';
import { VitShapeError } from './errors.js';

export type Grid = readonly [number, number];

export interface ResampleOptions {
  /**
   * false (default): PyTorch's plain bicubic (A = −0.75, 4 taps, border taps clamped) — what
   * InternViT's own `_get_pos_embed` uses. true: PyTorch's antialiased bicubic (PIL-style
   * A = −0.5, support widened by the scale when downsampling, taps renormalised at the
   * borders) — timm's default in `resample_abs_pos_embed`. They differ even when upsampling.
   */
  antialias?: boolean;
}

/** Keys' cubic convolution kernel (PyTorch cubic_convolution1/2), |x| < 2. */
function cubicKernel(x: number, a: number): number {
  const ax = Math.abs(x);
  if (ax < 1) return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
  if (ax < 2) return ((a * ax - 5 * a) * ax + 8 * a) * ax - 4 * a;
  return 0;
}

/** Per output position: source indices and weights along one axis. */
interface AxisTaps {
  index: number[][];
  weight: number[][];
}

/** Plain bicubic, align_corners=False: 4 taps around floor(src), indices clamped to the axis. */
function bicubicTaps(from: number, to: number): AxisTaps {
  const scale = from / to;
  const taps: AxisTaps = { index: [], weight: [] };
  for (let o = 0; o < to; o++) {
    // For cubic PyTorch does not clamp the source coordinate at 0 (unlike linear).
    const src = (o + 0.5) * scale - 0.5;
    const base = Math.floor(src);
    const t = src - base;
    taps.index.push([-1, 0, 1, 2].map((k) => Math.min(Math.max(base + k, 0), from - 1)));
    taps.weight.push([t + 1, t, 1 - t, 2 - t].map((d) => cubicKernel(d, -0.75)));
  }
  return taps;
}

/** Antialiased bicubic (PyTorch _compute_indices_min_size_weights_aa with the a = −0.5 filter). */
function antialiasedBicubicTaps(from: number, to: number): AxisTaps {
  const scale = from / to;
  const support = scale >= 1 ? 2 * scale : 2;
  const invScale = scale >= 1 ? 1 / scale : 1;
  const taps: AxisTaps = { index: [], weight: [] };
  for (let o = 0; o < to; o++) {
    const center = scale * (o + 0.5);
    // Math.trunc mirrors the C++ static_cast<int64_t> (rounds toward zero).
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xsize = Math.min(Math.trunc(center + support + 0.5), from) - xmin;
    const index: number[] = [];
    const weight: number[] = [];
    for (let j = 0; j < xsize; j++) {
      index.push(xmin + j);
      weight.push(cubicKernel((j + xmin - center + 0.5) * invScale, -0.5));
    }
    const total = weight.reduce((a, b) => a + b, 0);
    taps.index.push(index);
    taps.weight.push(total !== 0 ? weight.map((w) => w / total) : weight);
  }
  return taps;
}

function axisTaps(from: number, to: number, antialias: boolean): AxisTaps {
  // An unchanged axis is copied (PyTorch skips it in the antialiased path).
  if (from === to) return { index: Array.from({ length: to }, (_, o) => [o]), weight: Array.from({ length: to }, () => [1]) };
  return antialias ? antialiasedBicubicTaps(from, to) : bicubicTaps(from, to);
}

/**
 * Bicubic resize of a row-major [fromH, fromW, D] grid to [toH, toW, D]. Separable: along the
 * columns (width) first, then along the rows, the order PyTorch's antialiased kernel uses.
 */
export function bicubicResizeGrid(src: Float32Array, fromGrid: Grid, toGrid: Grid, dim: number, opts: ResampleOptions = {}): Float32Array {
  const [fh, fw] = fromGrid;
  const [th, tw] = toGrid;
  if (src.length !== fh * fw * dim) {
    throw new VitShapeError(`grid data has ${src.length} values, expected ${fh}×${fw}×${dim} = ${fh * fw * dim}`);
  }
  const antialias = opts.antialias ?? false;
  const xs = axisTaps(fw, tw, antialias);
  const ys = axisTaps(fh, th, antialias);
  const wide = new Float64Array(fh * tw * dim); // [fh, tw, D]
  for (let y = 0; y < fh; y++) {
    for (let ox = 0; ox < tw; ox++) {
      const out = (y * tw + ox) * dim;
      xs.index[ox].forEach((sx, k) => {
        const w = xs.weight[ox][k];
        const off = (y * fw + sx) * dim;
        for (let d = 0; d < dim; d++) wide[out + d] += w * src[off + d];
      });
    }
  }
  const result = new Float64Array(th * tw * dim); // [th, tw, D]
  for (let oy = 0; oy < th; oy++) {
    ys.index[oy].forEach((sy, k) => {
      const w = ys.weight[oy][k];
      for (let x = 0; x < tw; x++) {
        const out = (oy * tw + x) * dim;
        const off = (sy * tw + x) * dim;
        for (let d = 0; d < dim; d++) result[out + d] += w * wide[off + d];
      }
    });
  }
  return Float32Array.from(result);
}

function checkGrid(name: string, grid: Grid): void {
  if (grid.length !== 2 || !grid.every((g) => Number.isInteger(g) && g >= 1)) {
    throw new VitShapeError(`${name} must be [rows, cols] of positive integers, got [${grid.join(', ')}]`);
  }
}

/**
 * Resamples a ViT absolute position embedding to a new patch grid.
 *
 * posEmbed: [1, numPrefixTokens + fromH·fromW, D] → [1, numPrefixTokens + toH·toW, D].
 * Matches timm `resample_abs_pos_embed(..., interpolation='bicubic', antialias=opts.antialias)`
 * (pass `{ antialias: true }` for timm's default) and InternViT's `_get_pos_embed` (default).
 */
export function interpolatePosEmbed(
  posEmbed: tf.Tensor3D,
  fromGrid: Grid,
  toGrid: Grid,
  numPrefixTokens = 1,
  opts: ResampleOptions = {},
): tf.Tensor3D {
  checkGrid('fromGrid', fromGrid);
  checkGrid('toGrid', toGrid);
  if (!Number.isInteger(numPrefixTokens) || numPrefixTokens < 0) {
    throw new VitShapeError(`numPrefixTokens must be an integer >= 0, got ${numPrefixTokens}`);
  }
  const [one, tokens, dim] = posEmbed.shape;
  const gridTokens = fromGrid[0] * fromGrid[1];
  if (posEmbed.rank !== 3 || one !== 1 || tokens !== numPrefixTokens + gridTokens) {
    throw new VitShapeError(
      `posEmbed shape [${posEmbed.shape.join(', ')}] does not match [1, ${numPrefixTokens} prefix + ${fromGrid[0]}×${fromGrid[1]} grid tokens, D]`,
    );
  }
  if (posEmbed.dtype !== 'float32') throw new VitShapeError(`posEmbed must be float32, got ${posEmbed.dtype}`);
  const data = posEmbed.dataSync() as Float32Array;
  const prefix = data.subarray(0, numPrefixTokens * dim);
  const resized = bicubicResizeGrid(data.subarray(numPrefixTokens * dim), fromGrid, toGrid, dim, opts);
  const out = new Float32Array(prefix.length + resized.length);
  out.set(prefix, 0);
  out.set(resized, prefix.length);
  return tf.tensor3d(out, [1, numPrefixTokens + toGrid[0] * toGrid[1], dim]);
}

/**
 * The 1-D resampling of one axis as a dense matrix [to, from] (row o holds the weights of the
 * source positions that output o reads). Bicubic resizing is separable, so a grid resize is
 * Ay · G · Axᵀ — two matMuls, which makes the resize differentiable and lets a ViT train its
 * position embedding at any input size.
 */
export function bicubicAxisMatrix(from: number, to: number, opts: ResampleOptions = {}): Float32Array {
  if (!Number.isInteger(from) || from < 1 || !Number.isInteger(to) || to < 1) {
    throw new VitShapeError(`axis sizes must be positive integers, got ${from} → ${to}`);
  }
  const taps = axisTaps(from, to, opts.antialias ?? false);
  const m = new Float64Array(to * from);
  // Clamped border taps may hit the same source index twice: accumulate.
  taps.index.forEach((idx, o) => idx.forEach((s, k) => (m[o * from + s] += taps.weight[o][k])));
  return Float32Array.from(m);
}

const axisMatrixCache = new Map<string, Float32Array>();

function cachedAxisMatrix(from: number, to: number, antialias: boolean): Float32Array {
  const key = `${from}>${to}:${antialias}`;
  let m = axisMatrixCache.get(key);
  if (!m) {
    m = bicubicAxisMatrix(from, to, { antialias });
    axisMatrixCache.set(key, m);
  }
  return m;
}

/**
 * Differentiable bicubic resize of grid tokens: [B, fromH·fromW, D] → [B, toH·toW, D], the same
 * numbers as {@link bicubicResizeGrid} (up to float32 summation order) but as tfjs ops, so the
 * gradient reaches the source grid. Used inside `ViT` when the input grid differs from the
 * grid its `pos_embed` was trained for.
 */
export function resizeGridTokens(tokens: tf.Tensor3D, fromGrid: Grid, toGrid: Grid, opts: ResampleOptions = {}): tf.Tensor3D {
  checkGrid('fromGrid', fromGrid);
  checkGrid('toGrid', toGrid);
  const [b, n, d] = tokens.shape;
  const [fh, fw] = fromGrid;
  const [th, tw] = toGrid;
  if (n !== fh * fw) throw new VitShapeError(`grid tokens [${tokens.shape.join(', ')}] do not match the ${fh}×${fw} grid`);
  if (fh === th && fw === tw) return tf.clone(tokens);
  const antialias = opts.antialias ?? false;
  return tf.tidy(() => {
    const ax = tf.tensor2d(cachedAxisMatrix(fw, tw, antialias), [tw, fw]);
    const ay = tf.tensor2d(cachedAxisMatrix(fh, th, antialias), [th, fh]);
    // Along the width: [B·fh, fw, D] → [B·fh, tw, D], as one 2-D product over fw.
    const rows = tf.reshape(tokens, [b * fh, fw, d]);
    const colsFirst = tf.transpose(rows, [1, 0, 2]); // [fw, B·fh, D]
    const wide = matMul(ax, tf.reshape(colsFirst, [fw, b * fh * d])); // [tw, B·fh·D]
    // Along the height: bring fh to the front.
    const wide4 = tf.reshape(wide, [tw, b, fh, d]);
    const heightFirst = tf.transpose(wide4, [2, 1, 0, 3]); // [fh, B, tw, D]
    const tall = matMul(ay, tf.reshape(heightFirst, [fh, b * tw * d])); // [th, B·tw·D]
    const tall4 = tf.reshape(tall, [th, b, tw, d]);
    return tf.reshape(tf.transpose(tall4, [1, 0, 2, 3]), [b, th * tw, d]) as tf.Tensor3D; // [B, th·tw, D]
  });
}
