/**
 * The unit of loader work: decode one sample's image and run the pipeline on it. Shared by the
 * in-process path and the worker threads, so both give bit-identical items.
 */
import { decodeImage, toChw } from '../image/index.js';
import { decodeInterleaved, type InterleavedImage } from '../image/decode-interleaved.js';
import type { DetectionSample } from '../sample.js';
import { fusedPipelineFor } from '../transforms/fused-pipeline.js';
import type { CanvasAllocator } from '../transforms/fused-render.js';
import { applyTransforms, type ChwImage, type Transform, type TransformItem } from '../transforms/index.js';

/** A failure while loading one sample; names the sample so bad files can be found. */
export class LoaderError extends Error {
  override readonly name = 'LoaderError';
  constructor(
    readonly sampleId: string,
    readonly imagePath: string,
    readonly reason: string,
  ) {
    super(`sample ${sampleId} (${imagePath}): ${reason}`);
  }
}

/**
 * Decodes one sample and runs the pipeline. `opts.fused: false` forces the step-wise path
 * (the fused one gives bit-identical items; the switch exists for benchmarks and debugging).
 */
export async function loadTransformedItem(sample: DetectionSample, pipeline: Transform, seed: number, opts: LoadOptions = {}): Promise<TransformItem> {
  try {
    // Pipelines from `buildPipeline` of the usual shape run as one fused pass over the decoder's
    // own samples (bit-identical to the step-wise run); anything else goes step by step.
    const fused = opts.fused === false ? null : fusedPipelineFor(pipeline);
    if (fused) {
      const raw = await decodeInterleaved(sample.imagePath);
      return fused.run(raw, sample, seed, opts.allocate) ?? applyTransforms(pipeline, chwOf(raw), sample, seed);
    }
    const image = await decodeImage(sample.imagePath);
    return applyTransforms(pipeline, { data: image.data, width: image.width, height: image.height, channels: image.channels }, sample, seed);
  } catch (err) {
    throw new LoaderError(sample.id, sample.imagePath, err instanceof Error ? err.message : String(err));
  }
}

export interface LoadOptions {
  /** Run `buildPipeline` pipelines as one fused pass when their shape allows (default true). */
  fused?: boolean;
  /** Where the fused pass gets its output canvas (e.g. a `CanvasPool`'s `take`); default: a new buffer. */
  allocate?: CanvasAllocator;
}

function chwOf(raw: InterleavedImage): ChwImage {
  const data = raw.layout === 'chw' ? (raw.data as Float32Array) : toChw(raw.data, raw.width, raw.height, raw.channels);
  return { data, width: raw.width, height: raw.height, channels: raw.channels };
}

/**
 * Loads a batch: decodes run concurrently (sharp works off the JS thread), items come back in
 * order, and on failure the *first failing sample in batch order* is reported, so the error
 * does not depend on timing.
 */
export async function loadBatchItems(samples: readonly DetectionSample[], pipeline: Transform, seeds: readonly number[], opts: LoadOptions = {}): Promise<TransformItem[]> {
  const settled = await Promise.allSettled(samples.map((s, k) => loadTransformedItem(s, pipeline, seeds[k], opts)));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<TransformItem>).value);
}
