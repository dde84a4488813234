// Detections for a list of image files (the trainer's `predict` command).
import path from 'node:path';
import { readImageInfo, type DetectionSample, type Modality } from '@babelrs/datasets';
import type { DecodeOptions } from '@babelrs/det-heads';
import { runInference } from './inference.js';
import type { MultiModalDetector } from './multi-modal-detector.js';

export interface PredictInput {
  path: string;
  modality: Modality;
}

export interface Prediction {
  path: string;
  modality: Modality;
  width: number;
  height: number;
  /** The modality's data geometry: SAR `hbb` (xyxy), RGB / IR `obb` ([cx, cy, w, h, θ] le90). */
  boxType: 'hbb' | 'obb';
  /** Original image pixels, row-major. */
  boxes: Float64Array;
  scores: Float32Array | Float64Array;
  /** Head-local class ids. */
  labels: Int32Array;
  /** Class name of each detection. */
  classNames: string[];
}

export interface PredictOptions {
  batchSize?: number;
  decode?: DecodeOptions;
}

const DATA_BOX_TYPE: Record<Modality, 'hbb' | 'obb'> = { sar: 'hbb', rgb: 'obb', ir: 'obb' };

export async function predict(detector: MultiModalDetector, inputs: readonly PredictInput[], opts: PredictOptions = {}): Promise<Prediction[]> {
  const samples: DetectionSample[] = await Promise.all(
    inputs.map(async (inp, i) => {
      if (!detector.heads[inp.modality]) throw new Error(`predict: input ${i} (${inp.path}) is ${inp.modality}, but the detector has no ${inp.modality} head (has: ${detector.modalities.join(', ')})`);
      let info: { width: number; height: number };
      try {
        info = await readImageInfo(inp.path);
      } catch (err) {
        throw new Error(`predict: cannot read image ${inp.path}: ${(err as Error).message}`);
      }
      const boxType = DATA_BOX_TYPE[inp.modality];
      return {
        id: `${inp.modality}/${path.basename(inp.path)}#${i}`,
        modality: inp.modality,
        imagePath: inp.path,
        width: info.width,
        height: info.height,
        boxType,
        boxes: new Float64Array(0),
        labels: new Int32Array(0),
        difficult: new Uint8Array(0),
      };
    }),
  );
  const dets = await runInference(detector, samples, opts);
  return samples.map((s, i) => {
    const names = detector.labelSpaces[s.modality]!.names;
    const d = dets[i];
    return { path: s.imagePath, modality: s.modality, width: s.width, height: s.height, boxType: s.boxType, boxes: d.boxes, scores: d.scores, labels: d.labels, classNames: Array.from(d.labels, (l) => names[l]) };
  });
}
