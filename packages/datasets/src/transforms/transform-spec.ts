/**
 * Pipelines as data (like mmdet's `train_pipeline` lists): a spec is plain JSON, so configs can
 * hold it and the prefetching loader can send it to worker threads, where it is rebuilt.
 */
import { resizePad, type ResizePadOptions } from './resize-pad.js';
import { flip, randomFlip, type FlipDirection, type RandomFlipOptions } from './flip.js';
import { rot90, randomRot90, type RandomRot90Options, type Rot90K } from './rot90.js';
import { photometricJitter, type PhotometricJitterOptions } from './photometric-jitter.js';
import { pad, type PadOptions } from './pad.js';
import { normalize, type NormalizeOptions } from './normalize.js';
import { composeTransforms, type Transform } from './transform.js';

export type TransformSpec =
  | ({ type: 'resizePad' } & ResizePadOptions)
  | { type: 'flip'; direction: FlipDirection }
  | ({ type: 'randomFlip' } & RandomFlipOptions)
  | { type: 'rot90'; k: Rot90K }
  | ({ type: 'randomRot90' } & RandomRot90Options)
  | ({ type: 'photometricJitter' } & PhotometricJitterOptions)
  | ({ type: 'normalize' } & NormalizeOptions)
  | ({ type: 'pad' } & PadOptions);

export function buildTransform(spec: TransformSpec): Transform {
  switch (spec.type) {
    case 'resizePad':
      return resizePad(spec);
    case 'flip':
      return flip(spec.direction);
    case 'randomFlip':
      return randomFlip(spec);
    case 'rot90':
      return rot90(spec.k);
    case 'randomRot90':
      return randomRot90(spec);
    case 'photometricJitter':
      return photometricJitter(spec);
    case 'normalize':
      return normalize(spec);
    case 'pad':
      return pad(spec);
    default:
      throw new RangeError(`unknown transform type '${(spec as { type: unknown }).type}'`);
  }
}

const BUILT_FROM = new WeakMap<Transform, readonly TransformSpec[]>();

/** Builds one composed transform from a list of specs. */
export function buildPipeline(specs: readonly TransformSpec[]): Transform {
  const pipeline = composeTransforms(specs.map(buildTransform));
  // Remembered so the loader can run the pipeline as one fused pass (see fused-pipeline.ts).
  BUILT_FROM.set(pipeline, specs.map((s) => ({ ...s })));
  return pipeline;
}

/** The specs a pipeline was built from by `buildPipeline` (undefined for hand-composed transforms). */
export function pipelineSpecs(pipeline: Transform): readonly TransformSpec[] | undefined {
  return BUILT_FROM.get(pipeline);
}

export interface SoiDetPipelineOptions {
  /** Append per-modality normalisation (default false: pixels stay in source units). */
  normalize?: boolean | NormalizeOptions;
}

/**
 * SOI-Det training pipeline, in mmrotate's order: resize (long side 800), random
 * horizontal/vertical/diagonal flip, RGB colour jitter, [normalise], pad to 800×800.
 */
export function soiDetTrainPipeline(size = 800, opts: SoiDetPipelineOptions = {}): TransformSpec[] {
  return [
    { type: 'resizePad', maxSide: size, padTo: null },
    { type: 'randomFlip', prob: 0.5, directions: ['horizontal', 'vertical', 'diagonal'] },
    { type: 'photometricJitter' },
    ...normalizeStep(opts),
    { type: 'pad', width: size, height: size },
  ];
}

/** SOI-Det evaluation pipeline: resize, [normalise], pad. */
export function soiDetTestPipeline(size = 800, opts: SoiDetPipelineOptions = {}): TransformSpec[] {
  return [{ type: 'resizePad', maxSide: size, padTo: null }, ...normalizeStep(opts), { type: 'pad', width: size, height: size }];
}

function normalizeStep(opts: SoiDetPipelineOptions): TransformSpec[] {
  if (!opts.normalize) return [];
  return [{ type: 'normalize', ...(opts.normalize === true ? {} : opts.normalize) }];
}
