// Standard result files of an evaluation, written atomically (temp + rename):
// - SAR (HBB): COCO results JSON `[{ image_id, category_id, bbox: [x, y, w, h], score }]` and the
//   matching COCO instances file of the evaluated images (ids 1…N in evaluation order), so
//   pycocotools or `babelrs-hmap` can re-score the pair;
// - RGB / IR (OBB): DOTA Task1 files `Task1_<class>.txt`, lines `image score x1 y1 … x4 y4`
//   (one file per class, empty ones included: the devkit reads the class list from them).
import path from 'node:path';
import { obbToPoly } from '@babelrs/boxes';
import { writeFileAtomic, type DetectionSample } from '@babelrs/datasets';

/** Detections of one image in ORIGINAL image pixels, in the data's geometry, labels head-local. */
export interface ImageDetections {
  boxes: Float64Array;
  scores: Float32Array | Float64Array;
  labels: Int32Array;
}

/** The image name DOTA files use: the file stem of the image path. */
export function imageStem(sample: Pick<DetectionSample, 'imagePath'>): string {
  return path.basename(sample.imagePath).replace(/\.[^.]+$/, '');
}

/** Rounds to 6 significant decimals so files stay small but scores keep their order. */
function num(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** COCO instances JSON text of `samples` (HBB xyxy in the samples), categories 1…K = `classes`. */
export function cocoGroundTruthJson(samples: readonly DetectionSample[], classes: readonly string[], localLabels: readonly Int32Array[]): string {
  let annId = 0;
  const annotations: object[] = [];
  samples.forEach((s, i) => {
    for (let k = 0; k < s.labels.length; k++) {
      const [x1, y1, x2, y2] = s.boxes.subarray(4 * k, 4 * k + 4);
      annotations.push({ id: ++annId, image_id: i + 1, category_id: localLabels[i][k] + 1, bbox: [x1, y1, x2 - x1, y2 - y1], area: (x2 - x1) * (y2 - y1), iscrowd: s.difficult[k] ? 1 : 0 });
    }
  });
  return JSON.stringify({
    info: { description: 'ground truth of the evaluated images (@babelrs/detector evaluate)' },
    images: samples.map((s, i) => ({ id: i + 1, file_name: path.basename(s.imagePath), width: s.width, height: s.height })),
    categories: classes.map((name, k) => ({ id: k + 1, name })),
    annotations,
  });
}

/** COCO results JSON text: image i of the evaluation is `image_id` i + 1. */
export function cocoResultsJson(detections: readonly ImageDetections[]): string {
  const rows: string[] = [];
  detections.forEach((d, i) => {
    for (let k = 0; k < d.labels.length; k++) {
      const [x1, y1, x2, y2] = d.boxes.subarray(4 * k, 4 * k + 4);
      rows.push(JSON.stringify({ image_id: i + 1, category_id: d.labels[k] + 1, bbox: [num(x1), num(y1), num(x2 - x1), num(y2 - y1)], score: num(d.scores[k]) }));
    }
  });
  return `[${rows.join(',\n')}]\n`;
}

/** DOTA Task1 file contents per class name (OBB le90 detections → 8-point polygons). */
export function dotaTask1Files(samples: readonly DetectionSample[], detections: readonly ImageDetections[], classes: readonly string[]): Map<string, string> {
  const lines = classes.map(() => [] as string[]);
  detections.forEach((d, i) => {
    const name = imageStem(samples[i]);
    const polys = obbToPoly(d.boxes);
    for (let k = 0; k < d.labels.length; k++) {
      const p = Array.from(polys.subarray(8 * k, 8 * k + 8), (v) => v.toFixed(2));
      lines[d.labels[k]].push(`${name} ${num(d.scores[k])} ${p.join(' ')}`);
    }
  });
  return new Map(classes.map((c, k) => [`Task1_${c}.txt`, lines[k].length ? `${lines[k].join('\n')}\n` : '']));
}

/** Writes the SAR pair `results.json` + `ground-truth.json` under `dir`; returns the paths. */
export function writeCocoResults(dir: string, samples: readonly DetectionSample[], detections: readonly ImageDetections[], classes: readonly string[], localLabels: readonly Int32Array[]): string[] {
  const results = path.join(dir, 'results.json');
  const gt = path.join(dir, 'ground-truth.json');
  writeFileAtomic(gt, cocoGroundTruthJson(samples, classes, localLabels));
  writeFileAtomic(results, cocoResultsJson(detections));
  return [results, gt];
}

/** Writes `Task1/Task1_<class>.txt` under `dir`; returns the paths. */
export function writeDotaTask1(dir: string, samples: readonly DetectionSample[], detections: readonly ImageDetections[], classes: readonly string[]): string[] {
  const out: string[] = [];
  for (const [file, text] of dotaTask1Files(samples, detections, classes)) {
    const p = path.join(dir, 'Task1', file);
    writeFileAtomic(p, text);
    out.push(p);
  }
  return out;
}
