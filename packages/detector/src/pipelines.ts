// Input pipelines of the detector as data (TransformSpec lists): every modality ends as a
// 3-channel, normalised, imageSize × imageSize canvas, so one shared ViT sees all of them.
import type { TransformSpec } from '@babelrs/datasets';
import type { DetectorConfig } from './config.js';

export interface PipelineOptions {
  /** Random horizontal / vertical / diagonal flips (training only; default true). */
  augment?: boolean;
}

function normalizeStep(config: Pick<DetectorConfig, 'normalization'>): TransformSpec {
  return { type: 'normalize', outChannels: 3, ...(config.normalization ? { config: config.normalization } : {}) };
}

/** Resize (long side = imageSize, aspect kept), [random flips], normalise to 3 channels, pad. */
export function trainPipeline(config: Pick<DetectorConfig, 'imageSize' | 'normalization'>, opts: PipelineOptions = {}): TransformSpec[] {
  const size = config.imageSize;
  return [
    { type: 'resizePad', maxSide: size, padTo: null },
    ...(opts.augment ?? true ? [{ type: 'randomFlip', prob: 0.5, directions: ['horizontal', 'vertical', 'diagonal'] } as TransformSpec] : []),
    normalizeStep(config),
    { type: 'pad', width: size, height: size },
  ];
}

/** Resize, normalise to 3 channels, pad: what evaluation and prediction use. */
export function testPipeline(config: Pick<DetectorConfig, 'imageSize' | 'normalization'>): TransformSpec[] {
  const size = config.imageSize;
  return [{ type: 'resizePad', maxSide: size, padTo: null }, normalizeStep(config), { type: 'pad', width: size, height: size }];
}
