/**
 * The transform contract: a transform takes an image with its annotated sample and returns
 * both changed together, so boxes always stay on the pixels they describe. Randomness comes
 * only from the `Prng` passed in, so a pipeline run with the same seed is bit-identical.
 */
import type { DetectionSample } from '../sample.js';
import { Prng } from '../sampling/prng.js';
import { assertChwImage, type ChwImage } from './chw-image.js';
import { IDENTITY_AFFINE, affineBoxes, composeAffine, invertAffine, type Affine2D } from './affine.js';

/** Where the current pixels came from, so predictions can be mapped back to the source image. */
export interface TransformGeometry {
  /** Size of the image as decoded, before any transform. */
  origWidth: number;
  origHeight: number;
  /** Original-image coordinates → current coordinates (the composite of every geometric step). */
  toCurrent: Affine2D;
  /** Scale factors of the last resize (1 when none), and the padding it added (right, bottom). */
  scaleX: number;
  scaleY: number;
  padRight: number;
  padBottom: number;
  /** Names of the steps applied, in order (`resizePad`, `flip:horizontal`, `rot90:1`, …). */
  applied: string[];
}

export interface TransformItem {
  image: ChwImage;
  /** Its `width`/`height`/`boxes` always describe `image`. */
  sample: DetectionSample;
  geometry: TransformGeometry;
}

export interface Transform {
  readonly name: string;
  apply(item: TransformItem, rng: Prng): TransformItem;
}

/** Wraps a freshly decoded image and its sample (sizes must agree). */
export function transformItem(image: ChwImage, sample: DetectionSample): TransformItem {
  assertChwImage(image, `image of sample ${sample.id}`);
  if (image.width !== sample.width || image.height !== sample.height) {
    throw new RangeError(`sample ${sample.id}: annotation says ${sample.width}×${sample.height} but the image is ${image.width}×${image.height}`);
  }
  return { image, sample, geometry: initialGeometry(image.width, image.height) };
}

/** The geometry of an image no transform has touched yet. */
export function initialGeometry(width: number, height: number): TransformGeometry {
  return { origWidth: width, origHeight: height, toCurrent: IDENTITY_AFFINE, scaleX: 1, scaleY: 1, padRight: 0, padBottom: 0, applied: [] };
}

/**
 * Helper for geometric transforms: replaces the image, maps the boxes by `m` (old → new
 * coordinates) and records the step.
 */
export function withGeometricStep(item: TransformItem, image: ChwImage, m: Affine2D, step: string, extra: Partial<TransformGeometry> = {}): TransformItem {
  const { sample, geometry } = item;
  return {
    image,
    sample: { ...sample, width: image.width, height: image.height, boxes: affineBoxes(sample.boxes, sample.boxType, m) },
    geometry: { ...geometry, ...extra, toCurrent: composeAffine(m, geometry.toCurrent), applied: [...geometry.applied, step] },
  };
}

/** One transform that runs `steps` in order (the rng is shared, in order: deterministic). */
export function composeTransforms(steps: readonly Transform[]): Transform {
  return {
    name: steps.map((s) => s.name).join('+') || 'identity',
    apply(item, rng) {
      return steps.reduce((acc, s) => s.apply(acc, rng), item);
    },
  };
}

/**
 * Runs a pipeline on one image + sample with a seed. Loaders derive the seed from
 * (loader seed, position in the stream), so results do not depend on which worker ran it.
 */
export function applyTransforms(pipeline: Transform | readonly Transform[], image: ChwImage, sample: DetectionSample, seed: number): TransformItem {
  const t = Array.isArray(pipeline) ? composeTransforms(pipeline as readonly Transform[]) : (pipeline as Transform);
  return t.apply(transformItem(image, sample), new Prng(seed));
}

/**
 * Maps boxes predicted on the transformed image back to original-image coordinates
 * (undoes resize, padding, flips and rotations). OBBs come back normalised to le90.
 */
export function boxesToOriginal(boxes: Float64Array, boxType: DetectionSample['boxType'], geometry: TransformGeometry): Float64Array {
  return affineBoxes(boxes, boxType, invertAffine(geometry.toCurrent));
}
