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
import { renderPixels, type CanvasAllocator, type PixelJob } from './fused-render.js';
import { resizedSize } from './resize-pad.js';
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
  /**
   * The transformed item, or null when this image needs the step-wise path. `allocate` gives
   * the output canvas (e.g. from a pool); every value of it is overwritten.
   */
  run(image: InterleavedImage, sample: DetectionSample, seed: number, allocate?: CanvasAllocator): TransformItem | null;
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
  return plan ? { run: (image, sample, seed, allocate) => runPlan(plan, image, sample, seed, allocate) } : null;
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

function runPlan(plan: Plan, src: InterleavedImage, sample: DetectionSample, seed: number, allocate?: CanvasAllocator): TransformItem | null {
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
    // Integers by construction; `| 0` keeps them int32 so the passes index with small integers.
    k0: (y0 * wf + x0) | 0, kx: (a + d * wf) | 0, ky: (b + e * wf) | 0,
    wb: w, hb: h, wf, hf, channelsOut, padValueF: plan.pad?.value ?? 0, jitter, norm,
  };
  const data = renderPixels(job, allocate);
  return { ...item, image: { data, width: wf, height: hf, channels: channelsOut } };
}

const EMPTY = new Float32Array(0);
