/**
 * The pixel passes of the fused pipeline (see fused-pipeline.ts, which works out the geometry
 * and hands a `PixelJob` here). Bit-identical to the step-wise transforms; written for V8:
 * - every index is an int32 (`| 0`), so typed-array accesses never go through double keys;
 * - pass 1 builds one stage-A row at a time (all channels, contiguous) and then places it:
 *   a memcpy when the permutation keeps row direction, a reversed or strided copy otherwise;
 * - no closures or generic `clamp` calls in the inner loops;
 * - the canvas is allocated without zero-fill, because every value of it is written here
 *   (for an 800×800×3 canvas, zeroing fresh pages cost as much as the resize itself).
 */
import { Buffer } from 'node:buffer';
import type { InterleavedImage } from '../image/index.js';
import { sampleTaps } from './resize-pad.js';

/** What the pixel passes need to know, worked out while the geometry is replayed. */
export interface PixelJob {
  src: InterleavedImage;
  /** Stage A: the resized image `newW`×`newH` inside its canvas `wa`×`ha` (resizePad's padding). */
  newW: number;
  newH: number;
  resized: boolean;
  wa: number;
  ha: number;
  padValueA: number;
  /** Stage A pixel (x, y) goes to output index `k0 + kx·x + ky·y` (flips / turns); integers. */
  k0: number;
  kx: number;
  ky: number;
  /** Stage B (after flips / turns) size, the final canvas and its fill. */
  wb: number;
  hb: number;
  wf: number;
  hf: number;
  channelsOut: number;
  padValueF: number;
  jitter: { b: number; c: number; s: number; maxValue: number } | null;
  norm: { mean: number[]; inv: number[] } | null;
}

/** Gives the output canvas of `length` floats; its contents need not be initialised. */
export type CanvasAllocator = (length: number) => Float32Array;

/**
 * A float32 array whose memory is not zeroed (Node's unsafe Buffer allocation); a plain
 * `Float32Array` when the buffer would come from Node's shared small-buffer pool.
 */
export const allocateCanvas: CanvasAllocator = (length) => {
  const bytes = Buffer.allocUnsafe(length * 4);
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === length * 4) return new Float32Array(bytes.buffer, 0, length);
  return new Float32Array(length);
};

/** Runs the passes; returns the final canvas `[channelsOut, hf, wf]`. */
export function renderPixels(job: PixelJob, allocate: CanvasAllocator = allocateCanvas): Float32Array {
  const { wf, hf, channelsOut, wb, hb } = job;
  const length = channelsOut * wf * hf;
  const out = allocate(length);
  if (out.length !== length) throw new RangeError(`fused pipeline: the canvas allocator gave ${out.length} floats, ${length} needed`);
  // Normalisation rides along with pass 1 unless jitter needs the raw values first.
  const normInPass1 = job.jitter ? null : job.norm;
  if (job.wa !== job.newW || job.ha !== job.newH) fillStageBRegion(out, job, normInPass1);
  const graySum = resizeScatter(out, job, normInPass1);
  if (job.jitter) jitterPass(out, job, graySum);
  if (wb < wf || hb < hf) fillOutside(out, job);
  return out;
}

/** resizePad's own canvas: every stage-B pixel starts as its pad value (content overwrites it). */
function fillStageBRegion(out: Float32Array, job: PixelJob, norm: PixelJob['norm']): void {
  const plane = job.wf * job.hf;
  const planes = norm ? job.channelsOut : job.src.channels;
  const raw = Math.fround(job.padValueA);
  for (let p = 0; p < planes; p++) {
    const v = norm ? (raw - norm.mean[p]) * norm.inv[p] : raw;
    for (let y = 0; y < job.hb; y++) out.fill(v, p * plane + y * job.wf, p * plane + y * job.wf + job.wb);
  }
}

/** The final pad's fill right of and below the image, in every channel. */
function fillOutside(out: Float32Array, job: PixelJob): void {
  const { wf, hf, wb, hb } = job;
  const plane = wf * hf;
  for (let p = 0; p < job.channelsOut; p++) {
    const base = p * plane;
    if (wb < wf) for (let y = 0; y < hb; y++) out.fill(job.padValueF, base + y * wf + wb, base + y * wf + wf);
    if (hb < hf) out.fill(job.padValueF, base + hb * wf, base + plane);
  }
}

/** Source element offsets and weights (as doubles) of the horizontal taps. */
interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  f: Float64Array;
  /** No resize: samples are taken as they are (not `p + 0·…`, which would turn −0 into 0 and ±∞ into NaN). */
  copy: boolean;
}

/** Taps of output column x (of column n − 1 − x when `mirror`). */
function horizontalTaps(src: InterleavedImage, newW: number, resized: boolean, sx: number, mirror: boolean): Taps {
  const i0 = new Int32Array(newW);
  const i1 = new Int32Array(newW);
  const f = new Float64Array(newW);
  const t = resized ? sampleTaps(src.width, newW) : null;
  for (let j = 0; j < newW; j++) {
    const x = mirror ? newW - 1 - j : j;
    i0[j] = (t ? t.i0[x] : x) * sx;
    i1[j] = (t ? t.i1[x] : x) * sx;
    f[j] = t ? t.f[x] : 0; // float32 → double, exact: the same weight resizeBilinear reads
  }
  return { i0, i1, f, copy: !resized };
}

/**
 * Pass 1: bilinear resize (or a plain copy when the size is unchanged) of the source into
 * stage B, written through the flip / turn permutation; optionally normalised on the way.
 * For jitter, when rows stay rows (no 90° turn) and resizePad added no padding, rows are
 * produced in output order and jitter's grey sum is taken as each row is written (same
 * order of additions as its own pass); returns that sum, or null when jitter must sum itself.
 */
function resizeScatter(out: Float32Array, job: PixelJob, norm: PixelJob['norm']): number | null {
  const { src, newW, newH, resized } = job;
  // A mirrored row (kx = −1) is made by mirroring the horizontal taps instead: the cached rows
  // then hold the very same doubles in output order, and every row is written forwards.
  const mirror = job.kx === -1;
  const kx = mirror ? 1 : job.kx | 0;
  const k0 = mirror ? (job.k0 - (newW - 1)) | 0 : job.k0 | 0;
  const ky = job.ky | 0;
  const channels = src.channels;
  const hwc = src.layout === 'hwc';
  const sx = hwc ? channels : 1;
  const rowStride = src.width * sx;
  const chStride = hwc ? 1 : src.width * src.height;
  const plane = (job.wf * job.hf) | 0;
  const taps = horizontalTaps(src, newW, resized, sx, mirror);
  const ys = resized ? sampleTaps(src.height, newH) : null;
  // Two cached source rows, each holding every channel's horizontal interpolation (doubles, as resizeBilinear's `top`/`bot`).
  const rowLen = channels * newW;
  const cacheA = new Float64Array(rowLen);
  const cacheB = new Float64Array(rowLen);
  let rowA = -1;
  let rowB = -1;
  const outC = norm ? job.channelsOut : channels;
  const line = new Float32Array(outC * newW); // one stage-A row as stored, channel after channel
  const jitter = job.jitter;
  const sumGray = jitter !== null && kx === 1 && job.wa === newW && job.ha === newH;
  let graySum = 0;
  const grayB = jitter ? jitter.b : 1;
  const grayHi = jitter ? jitter.maxValue : 0;
  // Output rows ascending: when the permutation walks rows backwards (vertical flip), so does this loop.
  const down = sumGray && ky < 0;
  for (let step = 0; step < newH; step++) {
    const y = down ? newH - 1 - step : step;
    const s0 = ys ? ys.i0[y] : y;
    const s1 = ys ? ys.i1[y] : y;
    // Fetch the two source rows, keeping whichever cached row is still needed.
    let top: Float64Array;
    if (s0 === rowA) top = cacheA;
    else if (s0 === rowB) top = cacheB;
    else if (s1 === rowA) {
      // Keep the slot that already holds the bottom row.
      horizontalRow(cacheB, src.data, s0 * rowStride, chStride, channels, newW, taps);
      rowB = s0;
      top = cacheB;
    } else {
      horizontalRow(cacheA, src.data, s0 * rowStride, chStride, channels, newW, taps);
      rowA = s0;
      top = cacheA;
    }
    let bot: Float64Array;
    if (s1 === rowA) bot = cacheA;
    else if (s1 === rowB) bot = cacheB;
    else {
      const other = top === cacheA ? cacheB : cacheA;
      horizontalRow(other, src.data, s1 * rowStride, chStride, channels, newW, taps);
      if (other === cacheA) rowA = s1;
      else rowB = s1;
      bot = other;
    }
    const o = (k0 + ky * y) | 0;
    if (!ys) {
      // Size unchanged (no resize step, or already the target size): samples as they are, through `line`.
      if (!norm) copyRows(line, 0, top, 0, rowLen);
      else for (let p = 0; p < outC; p++) copyRowsNorm(line, p * newW, top, channels === 1 ? 0 : p * newW, newW, norm.mean[p], norm.inv[p]);
      for (let p = 0; p < outC; p++) placeRow(out, (p * plane + o) | 0, kx, line, p * newW, newW);
      if (sumGray) graySum = addGrayForward(graySum, line, newW, grayB, grayHi);
      continue;
    }
    const fy = ys.f[y];
    if (sumGray) {
      graySum = lerpRgbGrayForward(out, o, plane, top, bot, fy, newW, graySum, grayB, grayHi);
      continue;
    }
    for (let p = 0; p < outC; p++) {
      const t = channels === 1 ? 0 : p * newW; // 1 → k repeats channel 0
      const base = (p * plane + o) | 0;
      if (norm) lerpNormTo(out, base, kx, top, bot, t, fy, newW, norm.mean[p], norm.inv[p]);
      else lerpTo(out, base, kx, top, bot, t, fy, newW);
    }
  }
  return sumGray ? graySum : null;
}

/** Horizontal interpolation of one source row, every channel, into `row` (`[C, newW]`, doubles). */
function horizontalRow(row: Float64Array, data: InterleavedImage['data'], rowBase: number, chStride: number, channels: number, n: number, taps: Taps): void {
  const { i0, i1, f } = taps;
  if (taps.copy) {
    for (let c = 0; c < channels; c++) {
      const base = (rowBase + c * chStride) | 0;
      const t = c * n;
      for (let x = 0; x < n; x++) row[t + x] = data[base + i0[x]];
    }
    return;
  }
  if (channels === 3 && chStride === 1) {
    // Interleaved RGB: the three channels of a tap share its index and weight.
    const n2 = 2 * n;
    for (let x = 0; x < n; x++) {
      const i = (rowBase + i0[x]) | 0;
      const j = (rowBase + i1[x]) | 0;
      const w = f[x];
      const r = data[i];
      const g = data[i + 1];
      const b = data[i + 2];
      row[x] = r + (data[j] - r) * w;
      row[n + x] = g + (data[j + 1] - g) * w;
      row[n2 + x] = b + (data[j + 2] - b) * w;
    }
    return;
  }
  for (let c = 0; c < channels; c++) {
    const base = (rowBase + c * chStride) | 0;
    const t = c * n;
    for (let x = 0; x < n; x++) {
      const p = data[base + i0[x]];
      row[t + x] = p + (data[base + i1[x]] - p) * f[x];
    }
  }
}

/** A size-unchanged "resize" takes the samples as they are (resizeBilinear is skipped step-wise too). */
function copyRows(line: Float32Array, at: number, row: Float64Array, t: number, n: number): void {
  for (let x = 0; x < n; x++) line[at + x] = row[t + x];
}

function copyRowsNorm(line: Float32Array, at: number, row: Float64Array, t: number, n: number, mean: number, inv: number): void {
  for (let x = 0; x < n; x++) line[at + x] = (Math.fround(row[t + x]) - mean) * inv;
}

/** Vertical interpolation of one row of one channel into `out`, pixel x at `base + kx·x` (resizeBilinear's `top + (bot − top)·fy`); kx is 1 or ±width. */
function lerpTo(out: Float32Array, base: number, kx: number, top: Float64Array, bot: Float64Array, t: number, fy: number, n: number): void {
  if (kx === 1) {
    for (let x = 0; x < n; x++) {
      const tv = top[t + x];
      out[base + x] = tv + (bot[t + x] - tv) * fy;
    }
  } else {
    for (let x = 0, o = base; x < n; x++, o += kx) {
      const tv = top[t + x];
      out[o] = tv + (bot[t + x] - tv) * fy;
    }
  }
}

/** The same, normalised as it is stored: `(fround(v) − mean) · inv`, normalizeImage's arithmetic. */
function lerpNormTo(out: Float32Array, base: number, kx: number, top: Float64Array, bot: Float64Array, t: number, fy: number, n: number, mean: number, inv: number): void {
  if (kx === 1) {
    for (let x = 0; x < n; x++) {
      const tv = top[t + x];
      out[base + x] = (Math.fround(tv + (bot[t + x] - tv) * fy) - mean) * inv;
    }
  } else {
    for (let x = 0, o = base; x < n; x++, o += kx) {
      const tv = top[t + x];
      out[o] = (Math.fround(tv + (bot[t + x] - tv) * fy) - mean) * inv;
    }
  }
}

/**
 * RGB rows for jitter: the three channels' vertical interpolation stored at `o + x`, and the
 * brightened luma of each stored pixel added to `sum` left to right (jitterRgb's first loop).
 */
function lerpRgbGrayForward(out: Float32Array, o: number, plane: number, top: Float64Array, bot: Float64Array, fy: number, n: number, sum: number, b: number, hi: number): number {
  const n2 = 2 * n;
  const p2 = 2 * plane;
  for (let x = 0; x < n; x++) {
    const t0 = top[x];
    const t1 = top[n + x];
    const t2 = top[n2 + x];
    const r = Math.fround(t0 + (bot[x] - t0) * fy);
    const g = Math.fround(t1 + (bot[n + x] - t1) * fy);
    const bl = Math.fround(t2 + (bot[n2 + x] - t2) * fy);
    const i = o + x;
    out[i] = r;
    out[plane + i] = g;
    out[p2 + i] = bl;
    const rb = r * b;
    const gb = g * b;
    const bb = bl * b;
    sum += 0.299 * (rb < 0 ? 0 : rb > hi ? hi : rb) + 0.587 * (gb < 0 ? 0 : gb > hi ? hi : gb) + 0.114 * (bb < 0 ? 0 : bb > hi ? hi : bb);
  }
  return sum;
}

/** Writes `line[at … at+n)` to `out` from `base`, stepping `kx` (1: along a row; ±width: down a column, for 90° turns). */
function placeRow(out: Float32Array, base: number, kx: number, line: Float32Array, at: number, n: number): void {
  if (kx === 1) {
    out.set(line.subarray(at, at + n), base);
    return;
  }
  for (let x = 0, o = base; x < n; x++, o += kx) out[o] = line[at + x];
}

/** Adds one row's brightened luma, left to right in the output (jitterRgb's first loop); the row is unflipped. */
function addGrayForward(sum: number, line: Float32Array, n: number, b: number, hi: number): number {
  const n2 = 2 * n;
  for (let x = 0; x < n; x++) {
    const r = line[x] * b;
    const g = line[n + x] * b;
    const bl = line[n2 + x] * b;
    sum += 0.299 * (r < 0 ? 0 : r > hi ? hi : r) + 0.587 * (g < 0 ? 0 : g > hi ? hi : g) + 0.114 * (bl < 0 ? 0 : bl > hi ? hi : bl);
  }
  return sum;
}

/** Adds stage-B rows' brightened luma in raster order (when pass 1 could not: 90° turns, resizePad padding). */
function addGrayRaster(out: Float32Array, wb: number, hb: number, wf: number, plane: number, b: number, hi: number): number {
  let sum = 0;
  const p2 = 2 * plane;
  for (let y = 0; y < hb; y++) {
    for (let i = y * wf, end = i + wb; i < end; i++) {
      const r = out[i] * b;
      const g = out[plane + i] * b;
      const bl = out[p2 + i] * b;
      sum += 0.299 * (r < 0 ? 0 : r > hi ? hi : r) + 0.587 * (g < 0 ? 0 : g > hi ? hi : g) + 0.114 * (bl < 0 ? 0 : bl > hi ? hi : bl);
    }
  }
  return sum;
}

/** Pass 2 (RGB jitter): `jitterRgb`'s arithmetic on stage B in raster order, then normalisation. */
function jitterPass(out: Float32Array, job: PixelJob, graySum: number | null): void {
  const { wb, hb, wf, hf } = job;
  const { b, c, s, maxValue: hi } = job.jitter as NonNullable<PixelJob['jitter']>;
  const n = (wf * hf) | 0;
  let meanGray = graySum ?? addGrayRaster(out, wb, hb, wf, n, b, hi);
  meanGray /= wb * hb;
  const m = meanGray * (1 - c);
  // Without normalisation, (fround(v) − 0) · 1 stores the same float32 as v itself.
  const [m0, m1, m2] = job.norm ? job.norm.mean : [0, 0, 0];
  const [i0, i1, i2] = job.norm ? job.norm.inv : [1, 1, 1];
  const n2 = 2 * n;
  const s1 = 1 - s;
  for (let y = 0; y < hb; y++) {
    for (let i = y * wf, end = i + wb; i < end; i++) {
      let r = out[i] * b;
      let g = out[n + i] * b;
      let bl = out[n2 + i] * b;
      r = m + c * (r < 0 ? 0 : r > hi ? hi : r);
      g = m + c * (g < 0 ? 0 : g > hi ? hi : g);
      bl = m + c * (bl < 0 ? 0 : bl > hi ? hi : bl);
      r = r < 0 ? 0 : r > hi ? hi : r;
      g = g < 0 ? 0 : g > hi ? hi : g;
      bl = bl < 0 ? 0 : bl > hi ? hi : bl;
      const k = (0.299 * r + 0.587 * g + 0.114 * bl) * s1;
      const rr = k + s * r;
      const gg = k + s * g;
      const bb = k + s * bl;
      out[i] = (Math.fround(rr < 0 ? 0 : rr > hi ? hi : rr) - m0) * i0;
      out[n + i] = (Math.fround(gg < 0 ? 0 : gg > hi ? hi : gg) - m1) * i1;
      out[n2 + i] = (Math.fround(bb < 0 ? 0 : bb > hi ? hi : bb) - m2) * i2;
    }
  }
}
