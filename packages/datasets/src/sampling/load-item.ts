/**
 * The unit of loader work: decode one sample's image and run the pipeline on it. Shared by the
 * in-process path and the worker threads, so both give bit-identical items.
 */
import { decodeImage } from '../image/index.js';
import type { DetectionSample } from '../sample.js';
import { applyTransforms, type Transform, type TransformItem } from '../transforms/index.js';

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

export async function loadTransformedItem(sample: DetectionSample, pipeline: Transform, seed: number): Promise<TransformItem> {
  try {
    const image = await decodeImage(sample.imagePath);
    return applyTransforms(pipeline, { data: image.data, width: image.width, height: image.height, channels: image.channels }, sample, seed);
  } catch (err) {
    throw new LoaderError(sample.id, sample.imagePath, err instanceof Error ? err.message : String(err));
  }
}

/**
 * Loads a batch: decodes run concurrently (sharp works off the JS thread), items come back in
 * order, and on failure the *first failing sample in batch order* is reported, so the error
 * does not depend on timing.
 */
export async function loadBatchItems(samples: readonly DetectionSample[], pipeline: Transform, seeds: readonly number[]): Promise<TransformItem[]> {
  const settled = await Promise.allSettled(samples.map((s, k) => loadTransformedItem(s, pipeline, seeds[k])));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<TransformItem>).value);
}
