/**
 * The loader's fast path: a spec pipeline of the usual shape
 *   [resizePad] → (flip | randomFlip | rot90 | randomRot90)* → [photometricJitter] → [normalize] → [pad]
 * run as (at most) two passes over the pixels instead of one full-image copy per step, straight
 * from the decoder's interleaved uint8/uint16 (or CHW float) samples to the final CHW float32
 * canvas. Bit-identical to running the same specs step by step (tests compare every value):
 * - resize: the same taps and the same double-precision arithmetic as `resizeBilinear`, with
 *   each source row's horizontal interpolation computed once and kept (as doubles) for the
 *   output rows that share it;
 * - flips and 90° turns: pure permutations, folded into where pass 1 writes each value;
 * - jitter: its mean grey is summed in the same (output raster) order, then jitter and
 *   normalisation run in one pass; without jitter, normalisation is applied as pass 1 writes;
 * - padding: the canvas is allocated once; the image is written into its top-left corner.
 * Boxes and geometry come from the same affine maps and `withGeometricStep` as the step-wise
 * path; random draws happen in the same order. Anything outside this shape (other orders,
 * k → 1 channel averaging, a size that the step-wise path rejects) returns null, and the
 * caller runs the step-wise pipeline, which also raises its errors.
 */
import { DEFAULT_NORMALIZATION, normalizationCoefficients, type InterleavedImage } from '../image/index.js';
import type { DetectionSample } from '../sample.js';
import { Prng } from '../sampling/prng.js';
import { composeAffine, IDENTITY_AFFINE, type Affine2D } from './affine.js';
import type { ChwImage } from './chw-image.js';
import { flipAffine, type FlipDirection } from './flip.js';
import type { NormalizeOptions } from './normalize.js';
import { resizedSize, sampleTaps } from './resize-pad.js';
import { rot90Affine, type Rot90K } from './rot90.js';
import { pipelineSpecs, type TransformSpec } from './transform-spec.js';
import { initialGeometry, withGeometricStep, type Transform, type TransformItem } from './transform.js';

type GeoStep =
  | { kind: 'flip'; direction: FlipDirection }
  | { kind: 'randomFlip'; prob: number; directions: readonly FlipDirection[] }
  | { kind: 'rot90'; k: Rot90K }
  | { kind: 'randomRot90'; prob: number; ks: readonly Rot90K[] };

interface Plan {
  resize: { maxSide: number; padTo: { width: number; height: number } | null; padValue: number } | null;
  geo: GeoStep[];
  jitter: { b: number; c: number; s: number; maxValue: number } | null;
  normalize: NormalizeOptions | null;
  pad: { width: number; height: number; value: number } | null;
}

/** A pipeline compiled for the fused path. */
export interface FusedPipeline {
  /** The transformed item, or null when this image needs the step-wise path. */
  run(image: InterleavedImage, sample: DetectionSample, seed: number): TransformItem | null;
}

const CACHE = new WeakMap<Transform, FusedPipeline | null>();

/** The fused form of a pipeline made by `buildPipeline`, or null (hand-composed, or another step order). */
export function fusedPipelineFor(pipeline: Transform): FusedPipeline | null {
  let fused = CACHE.get(pipeline);
  if (fused === undefined) {
    const specs = pipelineSpecs(pipeline);
    fused = specs ? compileFusedPipeline(specs) : null;
    CACHE.set(pipeline, fused);
  }
  return fused;
}

/** Compiles specs (defaults as in the step-wise transforms); null when they are not of the fused shape. */
export function compileFusedPipeline(specs: readonly TransformSpec[]): FusedPipeline | null {
  const plan = parsePlan(specs);
  return plan ? { run: (image, sample, seed) => runPlan(plan, image, sample, seed) } : null;
}

function parsePlan(specs: readonly TransformSpec[]): Plan | null {
  const plan: Plan = { resize: null, geo: [], jitter: null, normalize: null, pad: null };
  let i = 0;
  let s = specs[i];
  if (s?.type === 'resizePad') {
    const maxSide = s.maxSide ?? 800;
    plan.resize = { maxSide, padTo: s.padTo === undefined ? { width: maxSide, height: maxSide } : s.padTo, padValue: s.padValue ?? 0 };
    s = specs[++i];
  }
  for (; s && (s.type === 'flip' || s.type === 'randomFlip' || s.type === 'rot90' || s.type === 'randomRot90'); s = specs[++i]) {
    if (s.type === 'flip') plan.geo.push({ kind: 'flip', direction: s.direction });
    else if (s.type === 'randomFlip') plan.geo.push({ kind: 'randomFlip', prob: s.prob ?? 0.5, directions: s.directions ?? ['horizontal'] });
    else if (s.type === 'rot90') plan.geo.push({ kind: 'rot90', k: s.k });
    else plan.geo.push({ kind: 'randomRot90', prob: s.prob ?? 0.5, ks: s.ks ?? [1, 2, 3] });
  }
  if (s?.type === 'photometricJitter') {
    plan.jitter = { b: s.brightness ?? 0.2, c: s.contrast ?? 0.2, s: s.saturation ?? 0.2, maxValue: s.maxValue ?? 255 };
    s = specs[++i];
  }
  if (s?.type === 'normalize') {
    plan.normalize = s;
    s = specs[++i];
  }
  if (s?.type === 'pad') {
    plan.pad = { width: s.width, height: s.height, value: s.value ?? 0 };
    s = specs[++i];
  }
  return i === specs.length ? plan : null;
}

/** What the pixel passes need to know, worked out while the geometry is replayed. */
interface PixelJob {
  src: InterleavedImage;
  /** Stage A: the resized image `newW`×`newH` inside its canvas `wa`×`ha` (resizePad's padding). */
  newW: number;
  newH: number;
  resized: boolean;
  wa: number;
  ha: number;
  padValueA: number;
  /** Stage A pixel (x, y) goes to output index `k0 + kx·x + ky·y` (flips / turns). */
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

function runPlan(plan: Plan, src: InterleavedImage, sample: DetectionSample, seed: number): TransformItem | null {
  const { width: w0, height: h0, channels } = src;
  if (w0 !== sample.width || h0 !== sample.height || w0 <= 0 || h0 <= 0) return null;
  const rng = new Prng(seed);
  const shape = (width: number, height: number, c = channels): ChwImage => ({ data: EMPTY, width, height, channels: c });
  let item: TransformItem = { image: shape(w0, h0), sample, geometry: initialGeometry(w0, h0) };

  let newW = w0;
  let newH = h0;
  let wa = w0;
  let ha = h0;
  const padValueA = plan.resize?.padValue ?? 0;
  if (plan.resize) {
    const r = resizedSize(w0, h0, plan.resize.maxSide);
    ({ newW, newH } = r);
    const padTo = plan.resize.padTo;
    if (padTo && (padTo.width < newW || padTo.height < newH)) return null;
    wa = padTo ? padTo.width : newW;
    ha = padTo ? padTo.height : newH;
    item = withGeometricStep(item, shape(wa, ha), [r.scaleX, 0, 0, 0, r.scaleY, 0], 'resizePad', { scaleX: r.scaleX, scaleY: r.scaleY, padRight: wa - newW, padBottom: ha - newH });
  }

  let perm: Affine2D = IDENTITY_AFFINE;
  let w = wa;
  let h = ha;
  for (const g of plan.geo) {
    let m: Affine2D | null = null;
    let name = '';
    if (g.kind === 'flip' || g.kind === 'randomFlip') {
      // Same draws, same order as randomFlip: the chance, then the direction.
      const doIt = g.kind === 'flip' || rng.chance(g.prob);
      const direction = g.kind === 'flip' ? g.direction : rng.pick(g.directions);
      if (doIt) [m, name] = [flipAffine(w, h, direction), `flip:${direction}`];
    } else {
      const doIt = g.kind === 'rot90' || rng.chance(g.prob);
      const k = g.kind === 'rot90' ? g.k : rng.pick(g.ks);
      if (doIt) [m, name] = [rot90Affine(w, h, k), `rot90:${k}`];
    }
    if (!m) continue;
    if (m[0] === 0) [w, h] = [h, w];
    item = withGeometricStep(item, shape(w, h), m, name);
    perm = composeAffine(m, perm);
  }

  let jitter: PixelJob['jitter'] = null;
  if (plan.jitter && sample.modality === 'rgb' && channels === 3) {
    const { b, c, s } = plan.jitter;
    jitter = { b: rng.uniform(1 - b, 1 + b), c: rng.uniform(1 - c, 1 + c), s: rng.uniform(1 - s, 1 + s), maxValue: plan.jitter.maxValue };
    item = { ...item, geometry: { ...item.geometry, applied: [...item.geometry.applied, 'photometricJitter'] } };
  }

  let channelsOut = channels;
  let norm: PixelJob['norm'] = null;
  if (plan.normalize) {
    const opts = plan.normalize;
    const base = opts.config?.[sample.modality] ?? DEFAULT_NORMALIZATION[sample.modality];
    const config = opts.outChannels === undefined ? base : { ...base, outChannels: opts.outChannels };
    let k: ReturnType<typeof normalizationCoefficients>;
    try {
      k = normalizationCoefficients(channels, config);
    } catch {
      return null; // the step-wise path raises the error
    }
    if (k.channels < channels) return null; // k → 1 averaging: step-wise
    channelsOut = k.channels;
    norm = { mean: k.mean, inv: k.inv };
    item = { ...item, geometry: { ...item.geometry, applied: [...item.geometry.applied, 'normalize'] } };
  }

  let wf = w;
  let hf = h;
  if (plan.pad) {
    if (w > plan.pad.width || h > plan.pad.height) return null;
    wf = plan.pad.width;
    hf = plan.pad.height;
    item = withGeometricStep(item, shape(wf, hf, channelsOut), IDENTITY_AFFINE, 'pad', { padRight: wf - w, padBottom: hf - h });
  }

  // Stage A pixel centre (x + ½, y + ½) → perm → output pixel; all terms are small integers or halves.
  const [a, b, c, d, e, f] = perm;
  const x0 = (a + b) / 2 + c - 0.5;
  const y0 = (d + e) / 2 + f - 0.5;
  const job: PixelJob = {
    src, newW, newH, resized: newW !== w0 || newH !== h0, wa, ha, padValueA,
    k0: y0 * wf + x0, kx: a + d * wf, ky: b + e * wf,
    wb: w, hb: h, wf, hf, channelsOut, padValueF: plan.pad?.value ?? 0, jitter, norm,
  };
  const data = renderPixels(job);
  return { ...item, image: { data, width: wf, height: hf, channels: channelsOut } };
}

const EMPTY = new Float32Array(0);

function renderPixels(job: PixelJob): Float32Array {
  const { wf, hf, channelsOut, wb, hb } = job;
  const out = new Float32Array(channelsOut * wf * hf);
  // Normalisation rides along with pass 1 unless jitter needs the raw values first.
  const normInPass1 = job.jitter ? null : job.norm;
  if (job.wa !== job.newW || job.ha !== job.newH) fillStageBRegion(out, job, normInPass1);
  const graySum = resizeScatter(out, job, normInPass1);
  if (job.jitter) jitterPass(out, job, graySum);
  if (job.padValueF !== 0 && (wb < wf || hb < hf)) fillOutside(out, job);
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
    for (let y = 0; y < hf; y++) {
      const row = p * plane + y * wf;
      if (y < hb) out.fill(job.padValueF, row + wb, row + wf);
      else out.fill(job.padValueF, row, row + wf);
    }
  }
}

/**
 * Pass 1: bilinear resize (or a plain copy when the size is unchanged) of the source into
 * stage B, written through the flip / turn permutation; optionally normalised on the way.
 * For jitter, when rows stay rows (no 90° turn) and resizePad added no padding, rows are
 * produced in output order and jitter's grey sum is taken as each row is written (same
 * order of additions as its own pass); returns that sum, or null when jitter must sum itself.
 */
function resizeScatter(out: Float32Array, job: PixelJob, norm: PixelJob['norm']): number | null {
  const { src, newW, newH, resized, k0, kx, ky } = job;
  const channels = src.channels;
  const data = src.data;
  const hwc = src.layout === 'hwc';
  const sx = hwc ? channels : 1;
  const sy = src.width * sx;
  const sc = hwc ? 1 : src.width * src.height;
  const plane = job.wf * job.hf;
  const xs = sampleTaps(src.width, newW);
  const ys = sampleTaps(src.height, newH);
  const xo0 = new Int32Array(newW);
  const xo1 = new Int32Array(newW);
  for (let x = 0; x < newW; x++) {
    xo0[x] = resized ? xs.i0[x] * sx : x * sx;
    xo1[x] = resized ? xs.i1[x] * sx : x * sx;
  }
  const fx = xs.f;
  // Two cached source rows, each holding every channel's horizontal interpolation (doubles, as resizeBilinear's `top`/`bot`).
  const cacheRows = [-1, -1];
  const cache = [new Float64Array(channels * newW), new Float64Array(channels * newW)];
  let lru = 0;
  const rowOf = (sy0: number): Float64Array => {
    if (cacheRows[0] === sy0) return (lru = 1), cache[0];
    if (cacheRows[1] === sy0) return (lru = 0), cache[1];
    const slot = lru;
    lru = 1 - slot;
    cacheRows[slot] = sy0;
    horizontalRow(cache[slot], data, sy0 * sy, sc, channels, newW, xo0, xo1, fx, resized);
    return cache[slot];
  };
  const outC = norm ? job.channelsOut : channels;
  const jitter = job.jitter;
  const sumGray = jitter !== null && (kx === 1 || kx === -1) && job.wa === newW && job.ha === newH;
  let graySum = 0;
  const grayB = jitter?.b ?? 1;
  const grayHi = jitter?.maxValue ?? 0;
  const rowStart = kx === 1 ? 0 : -(newW - 1); // leftmost output index of a row, relative to its first write
  // Output rows ascending: when the permutation walks rows backwards (vertical flip), so does this loop.
  const down = ky < 0;
  for (let step = 0; step < newH; step++) {
    const y = sumGray && down ? newH - 1 - step : step;
    const top = rowOf(resized ? ys.i0[y] : y);
    const bot = resized ? rowOf(ys.i1[y]) : top;
    const fy = resized ? ys.f[y] : 0;
    const o = k0 + ky * y;
    for (let p = 0; p < outC; p++) {
      const c = channels === 1 ? 0 : p; // 1 → k repeats channel 0
      const t = c * newW;
      const base = p * plane + o;
      if (!norm) {
        if (resized) verticalRow(out, base, kx, top, bot, t, fy, newW);
        else copyRow(out, base, kx, top, t, newW);
      } else if (resized) verticalRowNorm(out, base, kx, top, bot, t, fy, newW, norm.mean[p], norm.inv[p]);
      else copyRowNorm(out, base, kx, top, t, newW, norm.mean[p], norm.inv[p]);
    }
    if (sumGray) graySum = addRowGray(graySum, out, o + rowStart, newW, plane, grayB, grayHi);
  }
  return sumGray ? graySum : null;
}

/** Adds one output row's brightened luma to `sum`, left to right (jitterRgb's first loop). */
function addRowGray(sum: number, out: Float32Array, start: number, n: number, plane: number, b: number, hi: number): number {
  const p2 = 2 * plane;
  for (let i = start, end = start + n; i < end; i++) {
    sum += 0.299 * clamp(out[i] * b, hi) + 0.587 * clamp(out[plane + i] * b, hi) + 0.114 * clamp(out[p2 + i] * b, hi);
  }
  return sum;
}

function horizontalRow(row: Float64Array, data: ArrayLike<number>, rowBase: number, sc: number, channels: number, n: number, xo0: Int32Array, xo1: Int32Array, fx: Float32Array, resized: boolean): void {
  if (resized && channels === 3 && sc === 1) return horizontalRowRgb(row, data, rowBase, n, xo0, xo1, fx);
  for (let c = 0; c < channels; c++) {
    const base = rowBase + c * sc;
    const t = c * n;
    if (!resized) {
      for (let x = 0; x < n; x++) row[t + x] = data[base + xo0[x]];
      continue;
    }
    for (let x = 0; x < n; x++) {
      const p = data[base + xo0[x]];
      row[t + x] = p + (data[base + xo1[x]] - p) * fx[x];
    }
  }
}

/** Interleaved RGB: the three channels of a tap share its index and weight. */
function horizontalRowRgb(row: Float64Array, data: ArrayLike<number>, rowBase: number, n: number, xo0: Int32Array, xo1: Int32Array, fx: Float32Array): void {
  const n2 = 2 * n;
  for (let x = 0; x < n; x++) {
    const i = rowBase + xo0[x];
    const j = rowBase + xo1[x];
    const f = fx[x];
    const r = data[i];
    const g = data[i + 1];
    const b = data[i + 2];
    row[x] = r + (data[j] - r) * f;
    row[n + x] = g + (data[j + 1] - g) * f;
    row[n2 + x] = b + (data[j + 2] - b) * f;
  }
}

function verticalRow(out: Float32Array, base: number, kx: number, top: Float64Array, bot: Float64Array, t: number, fy: number, n: number): void {
  for (let x = 0, o = base; x < n; x++, o += kx) {
    const tv = top[t + x];
    out[o] = tv + (bot[t + x] - tv) * fy;
  }
}

function verticalRowNorm(out: Float32Array, base: number, kx: number, top: Float64Array, bot: Float64Array, t: number, fy: number, n: number, mean: number, inv: number): void {
  for (let x = 0, o = base; x < n; x++, o += kx) {
    const tv = top[t + x];
    out[o] = (Math.fround(tv + (bot[t + x] - tv) * fy) - mean) * inv;
  }
}

function copyRow(out: Float32Array, base: number, kx: number, row: Float64Array, t: number, n: number): void {
  for (let x = 0, o = base; x < n; x++, o += kx) out[o] = row[t + x];
}

function copyRowNorm(out: Float32Array, base: number, kx: number, row: Float64Array, t: number, n: number, mean: number, inv: number): void {
  for (let x = 0, o = base; x < n; x++, o += kx) out[o] = (Math.fround(row[t + x]) - mean) * inv;
}

/** Pass 2 (RGB jitter): `jitterRgb`'s arithmetic on stage B in raster order, then normalisation. */
function jitterPass(out: Float32Array, job: PixelJob, graySum: number | null): void {
  const { wb, hb, wf, hf } = job;
  const { b, c, s, maxValue: hi } = job.jitter as NonNullable<PixelJob['jitter']>;
  const n = wf * hf;
  let meanGray = graySum ?? 0;
  if (graySum === null) for (let y = 0; y < hb; y++) meanGray = addRowGray(meanGray, out, y * wf, wb, n, b, hi);
  meanGray /= wb * hb;
  const m = meanGray * (1 - c);
  // Without normalisation, (fround(v) − 0) · 1 stores the same float32 as v itself.
  const [m0, m1, m2] = job.norm ? job.norm.mean : [0, 0, 0];
  const [i0, i1, i2] = job.norm ? job.norm.inv : [1, 1, 1];
  const n2 = 2 * n;
  const s1 = 1 - s;
  for (let y = 0; y < hb; y++) {
    for (let i = y * wf, end = i + wb; i < end; i++) {
      const r = clamp(m + c * clamp(out[i] * b, hi), hi);
      const g = clamp(m + c * clamp(out[n + i] * b, hi), hi);
      const bl = clamp(m + c * clamp(out[n2 + i] * b, hi), hi);
      const k = (0.299 * r + 0.587 * g + 0.114 * bl) * s1;
      out[i] = (Math.fround(clamp(k + s * r, hi)) - m0) * i0;
      out[n + i] = (Math.fround(clamp(k + s * g, hi)) - m1) * i1;
      out[n2 + i] = (Math.fround(clamp(k + s * bl, hi)) - m2) * i2;
    }
  }
}

function clamp(v: number, hi: number): number {
  return v < 0 ? 0 : v > hi ? hi : v;
}
