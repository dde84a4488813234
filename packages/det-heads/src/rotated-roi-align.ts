// Rotated RoIAlign (mmcv `RoIAlignRotated` semantics): each oriented RoI is split into an
// outH × outW grid of bins in its own rotated frame; each bin averages samplingRatio² (or an
// adaptive number of) bilinear samples of the feature map.
//
// The sample positions depend only on RoI geometry, which is a constant of the graph (proposals
// are detached, as in mmrotate). So the host computes, for every output cell, a short list of
// (feature row, weight) "taps" — the 4 bilinear neighbours of each sample, merged when several
// samples hit the same pixel — applied either as gather × weight → sum on the device (its
// gradient is gather's, UnsortedSegmentSum, which @babelrs/core registers for wasm) or as a
// host loop with a custom gradient (faster on wasm/cpu; see `RoiAlignImpl`). Both train on
// wasm and cpu alike.
import * as tf from '@tensorflow/tfjs';
import { DetHeadInputError } from './errors.js';

export interface RotatedRoiAlignOptions {
  /** Output grid, `n` for n × n (default 7). */
  outSize?: number | readonly [number, number];
  /** Samples per bin side; 0 = adaptive ceil(roiSize / outSize) as mmcv. Default 2 (mmrotate). */
  samplingRatio?: number;
  /** Pixel centres at +0.5 (mmcv `aligned=True`, default). */
  aligned?: boolean;
  /** θ turns clockwise on screen (mmrotate's le90 boxes; default true). */
  clockwise?: boolean;
}

/** Where one RoI samples from: a feature map of `height × width` whose row 0 of image `b` is `rowOffset + b·height·width` in the flattened [rows, C] matrix. */
export interface RoiSampleSource {
  height: number;
  width: number;
  /** Feature pixels per input pixel (1 / stride). */
  spatialScale: number;
  rowOffset: number;
}

/** Gather plan: cell i (= roi·outH·outW + ph·outW + pw) reads rows `indices[i·taps + k]` with weights `weights[i·taps + k]`. */
export interface RoiAlignPlan {
  numRois: number;
  outH: number;
  outW: number;
  taps: number;
  indices: Int32Array;
  weights: Float32Array;
}

function outHW(opts: RotatedRoiAlignOptions): [number, number] {
  const s = opts.outSize ?? 7;
  const [h, w] = typeof s === 'number' ? [s, s] : s;
  if (!(Number.isInteger(h) && h > 0 && Number.isInteger(w) && w > 0)) throw new DetHeadInputError(`rotated RoIAlign: outSize must be positive integers, got ${String(s)}`);
  return [h, w];
}

/** Taps of one output cell: at most 4 per sample, equal rows merged (linear scan: ≤ 16 entries typically). */
class Cell {
  n = 0;
  constructor(
    readonly rows: Int32Array,
    readonly weights: Float64Array,
  ) {}

  add(row: number, w: number): void {
    if (w === 0) return;
    for (let k = 0; k < this.n; k++) {
      if (this.rows[k] === row) {
        this.weights[k] += w;
        return;
      }
    }
    this.rows[this.n] = row;
    this.weights[this.n++] = w;
  }
}

/** The bilinear taps of one sample point (x, y) in feature pixels, mmcv's boundary rules. */
function addSampleTaps(y: number, x: number, h: number, w: number, base: number, weight: number, cell: Cell): void {
  if (y < -1 || y > h || x < -1 || x > w) return; // outside: contributes 0
  y = Math.max(y, 0);
  x = Math.max(x, 0);
  let yLow = Math.floor(y);
  let xLow = Math.floor(x);
  let yHigh: number;
  let xHigh: number;
  if (yLow >= h - 1) {
    yHigh = yLow = h - 1;
    y = yLow;
  } else yHigh = yLow + 1;
  if (xLow >= w - 1) {
    xHigh = xLow = w - 1;
    x = xLow;
  } else xHigh = xLow + 1;
  const ly = y - yLow;
  const lx = x - xLow;
  cell.add(base + yLow * w + xLow, (1 - ly) * (1 - lx) * weight);
  cell.add(base + yLow * w + xHigh, (1 - ly) * lx * weight);
  cell.add(base + yHigh * w + xLow, ly * (1 - lx) * weight);
  cell.add(base + yHigh * w + xHigh, ly * lx * weight);
}

/**
 * Builds the gather plan of `rois` [R, 6] = (batchIndex, cx, cy, w, h, θ) in input pixels.
 * `sourceOf(r)` says which (flattened) feature map RoI r samples from.
 */
export function rotatedRoiAlignPlan(
  rois: ArrayLike<number>,
  sourceOf: (roi: number) => RoiSampleSource,
  opts: RotatedRoiAlignOptions = {},
): RoiAlignPlan {
  const numRois = rois.length / 6;
  if (!Number.isInteger(numRois)) throw new DetHeadInputError(`rotated RoIAlign: rois must be R×6 (batch, cx, cy, w, h, θ), got ${rois.length} values`);
  const [outH, outW] = outHW(opts);
  const ratio = opts.samplingRatio ?? 2;
  if (!(Number.isInteger(ratio) && ratio >= 0)) throw new DetHeadInputError(`rotated RoIAlign: samplingRatio must be an integer ≥ 0, got ${ratio}`);
  const aligned = opts.aligned ?? true;
  const clockwise = opts.clockwise ?? true;
  const cells: Cell[] = [];
  for (let r = 0; r < numRois; r++) {
    const b = rois[r * 6];
    const src = sourceOf(r);
    if (!Number.isInteger(b) || b < 0) throw new DetHeadInputError(`rotated RoIAlign: roi ${r} has batch index ${b}`);
    const offset = aligned ? 0.5 : 0;
    const cx = rois[r * 6 + 1] * src.spatialScale - offset;
    const cy = rois[r * 6 + 2] * src.spatialScale - offset;
    let rw = rois[r * 6 + 3] * src.spatialScale;
    let rh = rois[r * 6 + 4] * src.spatialScale;
    const theta = clockwise ? -rois[r * 6 + 5] : rois[r * 6 + 5];
    if (aligned) {
      if (!(rw >= 0 && rh >= 0)) throw new DetHeadInputError(`rotated RoIAlign: roi ${r} has negative size (${rw}, ${rh})`);
    } else {
      rw = Math.max(rw, 1);
      rh = Math.max(rh, 1);
    }
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const binH = rh / outH;
    const binW = rw / outW;
    const gridH = ratio > 0 ? ratio : Math.ceil(rh / outH);
    const gridW = ratio > 0 ? ratio : Math.ceil(rw / outW);
    const inv = 1 / Math.max(gridH * gridW, 1);
    const base = src.rowOffset + b * src.height * src.width;
    const cap = 4 * gridH * gridW;
    const rowsBuf = new Int32Array(outH * outW * cap);
    const wBuf = new Float64Array(outH * outW * cap);
    for (let ph = 0; ph < outH; ph++) {
      for (let pw = 0; pw < outW; pw++) {
        const at = (ph * outW + pw) * cap;
        const cell = new Cell(rowsBuf.subarray(at, at + cap), wBuf.subarray(at, at + cap));
        for (let iy = 0; iy < gridH; iy++) {
          const yy = -rh / 2 + ph * binH + ((iy + 0.5) * binH) / gridH;
          for (let ix = 0; ix < gridW; ix++) {
            const xx = -rw / 2 + pw * binW + ((ix + 0.5) * binW) / gridW;
            // Rotate the bin-frame point by θ about the centre (mmcv's (y, x) order).
            addSampleTaps(yy * cos - xx * sin + cy, yy * sin + xx * cos + cx, src.height, src.width, base, inv, cell);
          }
        }
        cells.push(cell);
      }
    }
  }
  let taps = 1;
  for (const cell of cells) taps = Math.max(taps, cell.n);
  const indices = new Int32Array(cells.length * taps);
  const weights = new Float32Array(cells.length * taps);
  cells.forEach((cell, i) => {
    // Padding taps (k ≥ cell.n) read row 0 with weight 0.
    for (let k = 0; k < cell.n; k++) {
      indices[i * taps + k] = cell.rows[k];
      weights[i * taps + k] = cell.weights[k];
    }
  });
  return { numRois, outH, outW, taps, indices, weights };
}

/**
 * How a plan is applied. `host`: a JS loop over the plan on the features read back from the
 * backend, with a custom gradient that scatters on the host — on wasm this is ~50× faster than
 * `gather` (whose wasm kernel checks every index in JS). `gather`: tf.gather × weights → sum,
 * all on the device (the choice for GPU backends, where a read-back would stall). `auto`
 * (default): `host` on the wasm and cpu backends, `gather` elsewhere.
 */
export type RoiAlignImpl = 'auto' | 'host' | 'gather';

/** Applies a plan to flattened features [rows, C] → [R, outH, outW, C]. Differentiable in `flat`. */
export function applyRoiAlignPlan(flat: tf.Tensor2D, plan: RoiAlignPlan, impl: RoiAlignImpl = 'auto'): tf.Tensor4D {
  const c = flat.shape[1];
  const cells = plan.numRois * plan.outH * plan.outW;
  if (cells === 0) return tf.zeros([0, plan.outH, plan.outW, c]) as tf.Tensor4D;
  const useHost = impl === 'host' || (impl === 'auto' && ['wasm', 'cpu'].includes(tf.getBackend()));
  return tf.tidy(() => {
    const out = useHost ? hostApply(flat, plan) : gatherApply(flat, plan); // [cells, C]
    return out.reshape([plan.numRois, plan.outH, plan.outW, c]) as tf.Tensor4D;
  });
}

function gatherApply(flat: tf.Tensor2D, plan: RoiAlignPlan): tf.Tensor2D {
  const c = flat.shape[1];
  const cells = plan.numRois * plan.outH * plan.outW;
  const idx = tf.tensor1d(plan.indices, 'int32');
  const w = tf.tensor3d(plan.weights, [cells, plan.taps, 1]);
  const picked = tf.gather(flat, idx).reshape([cells, plan.taps, c]); // [cells, K, C]
  return picked.mul(w).sum(1) as tf.Tensor2D;
}

/** out[cell] = Σ_k w[cell, k] · x[row[cell, k]]; its gradient scatters dy back the same way. */
function hostApply(flat: tf.Tensor2D, plan: RoiAlignPlan): tf.Tensor2D {
  const [rows, c] = flat.shape;
  const cells = plan.numRois * plan.outH * plan.outW;
  const { taps, indices, weights } = plan;
  for (let i = 0; i < indices.length; i++) {
    if (indices[i] < 0 || indices[i] >= rows) throw new DetHeadInputError(`rotated RoIAlign: plan reads row ${indices[i]} of a ${rows}-row feature matrix`);
  }
  const op = tf.customGrad(((x: tf.Tensor) => {
    const xv = x.dataSync();
    const out = new Float32Array(cells * c);
    for (let cell = 0; cell < cells; cell++) {
      const o = cell * c;
      for (let k = cell * taps; k < (cell + 1) * taps; k++) {
        const w = weights[k];
        if (w === 0) continue;
        const r = indices[k] * c;
        for (let j = 0; j < c; j++) out[o + j] += w * xv[r + j];
      }
    }
    return {
      value: tf.tensor2d(out, [cells, c]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync();
        const dx = new Float32Array(rows * c);
        for (let cell = 0; cell < cells; cell++) {
          const o = cell * c;
          for (let k = cell * taps; k < (cell + 1) * taps; k++) {
            const w = weights[k];
            if (w === 0) continue;
            const r = indices[k] * c;
            for (let j = 0; j < c; j++) dx[r + j] += w * g[o + j];
          }
        }
        return tf.tensor2d(dx, [rows, c]);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(flat) as tf.Tensor2D;
}

/**
 * Rotated RoIAlign over one NHWC feature map [B, H, W, C] with `rois` [R, 6]
 * (batchIndex, cx, cy, w, h, θ in input pixels) → [R, outH, outW, C].
 */
export function rotatedRoiAlign(
  features: tf.Tensor4D,
  rois: ArrayLike<number>,
  opts: RotatedRoiAlignOptions & { spatialScale?: number; impl?: RoiAlignImpl } = {},
): tf.Tensor4D {
  const [b, h, w, c] = features.shape;
  const source: RoiSampleSource = { height: h, width: w, spatialScale: opts.spatialScale ?? 1, rowOffset: 0 };
  for (let r = 0; r < rois.length / 6; r++) {
    if (rois[r * 6] >= b) throw new DetHeadInputError(`rotated RoIAlign: roi ${r} has batch index ${rois[r * 6]} but the batch has ${b} images`);
  }
  const plan = rotatedRoiAlignPlan(rois, () => source, opts);
  return tf.tidy(() => applyRoiAlignPlan(features.reshape([b * h * w, c]) as tf.Tensor2D, plan, opts.impl));
}
