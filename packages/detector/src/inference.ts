// Batched inference over samples: decode + test pipeline, one trunk pass per batch, each
// modality's rows to its head, detections mapped back to ORIGINAL image pixels in the data's
// box geometry (an HBB head on OBB data gives angle-0 OBBs, an OBB head on HBB data their hulls).
import * as tf from '@tensorflow/tfjs';
import { hbbToObb, obbToHbb } from '@babelrs/boxes';
import { boxesToOriginal, buildPipeline, type DetectionSample } from '@babelrs/datasets';
import type { DecodeOptions, HeadDetections } from '@babelrs/det-heads';
import { collateBatch, sortByModality } from './batch.js';
import { loadItems } from './detection-data.js';
import type { MultiModalDetector } from './multi-modal-detector.js';
import { testPipeline } from './pipelines.js';
import type { ImageDetections } from './result-files.js';

export interface InferenceOptions {
  /** Images per forward pass (default 8). */
  batchSize?: number;
  /** Head decoding (score threshold, NMS IoU, max detections); defaults are each head's. */
  decode?: DecodeOptions;
  /** Called after each batch with (images done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** Maps one image's head detections to original pixels in `boxType`. */
export function toOriginal(d: HeadDetections, sample: DetectionSample, geometry: Parameters<typeof boxesToOriginal>[2]): ImageDetections {
  let boxes = boxesToOriginal(d.boxes, d.boxType, geometry);
  if (d.boxType !== sample.boxType) boxes = sample.boxType === 'obb' ? hbbToObb(boxes, 'le90') : obbToHbb(boxes);
  return { boxes, scores: d.scores, labels: d.labels };
}

/**
 * Detections for every sample, in the order of `samples`. The detector runs in eval mode (its
 * previous mode is restored).
 */
export async function runInference(detector: MultiModalDetector, samples: readonly DetectionSample[], opts: InferenceOptions = {}): Promise<ImageDetections[]> {
  const batchSize = opts.batchSize ?? 8;
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`inference: batchSize must be a positive integer, got ${batchSize}`);
  for (const s of samples) if (!detector.heads[s.modality]) throw new Error(`inference: sample ${s.id} is ${s.modality}, but the detector has no ${s.modality} head`);
  const pipeline = buildPipeline(testPipeline(detector.config));
  // Homogeneous batches: one head call per batch instead of up to three.
  const order = sortByModality(samples.map((sample, index) => ({ sample, index }))).map((x) => x.index);
  const out: ImageDetections[] = new Array(samples.length);
  const wasTraining = detector.training;
  detector.eval();
  const s = detector.config.imageSize;
  const load = (start: number) => {
    const idx = order.slice(start, start + batchSize);
    return loadItems(samples, idx, pipeline, idx.map(() => 0)).then((items) => ({ idx, items }));
  };
  try {
    let next = order.length > 0 ? load(0) : null;
    for (let start = 0; start < order.length; start += batchSize) {
      const { idx, items } = await next!;
      next = start + batchSize < order.length ? load(start + batchSize) : null;
      next?.catch(() => undefined);
      // Items keep `idx` order (one modality per batch, or sorted runs), and collation sorts stably.
      const batch = collateBatch(items, s);
      const images = tf.tensor4d(batch.images, [items.length, 3, s, s]); // [B, 3, S, S]
      let dets: HeadDetections[];
      try {
        dets = detector.detect(images, batch.groups, opts.decode);
      } finally {
        images.dispose();
      }
      dets.forEach((d, k) => {
        const item = items[k];
        if (item.sample.id !== batch.samples[k].id) throw new Error('inference: batch order changed during collation');
        out[idx[k]] = toOriginal(d, samples[idx[k]], batch.geometries[k]);
      });
      opts.onProgress?.(Math.min(start + batchSize, order.length), order.length);
    }
  } finally {
    detector.train(wasTraining);
  }
  return out;
}
