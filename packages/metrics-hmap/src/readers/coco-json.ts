/**
 * COCO readers: instances ground truth JSON + a results list
 * `[{ image_id, category_id, bbox: [x, y, w, h], score }]`, both through @babelrs/formats
 * (zod-validated entries; files above 64 MiB streamed, so a results file of any size is read
 * in memory bounded by its detections, kept as typed arrays).
 *
 * Input rules: boxes become xyxy (`x + w`, as pycocotools' IoU does); the GT `area` field is
 * kept for the coco area ranges (w·h if absent), a result's area is w·h (pycocotools
 * `loadRes`); `iscrowd: 1` sets `crowd` (coco protocol) and, with `ignore: 1`, `difficult`
 * (voc-family protocols); images are ordered by id, classes are `classes` if given, else the
 * categories ordered by id. HIT-UAV's COCO-like variant (`annotation`, `filename`) is read too.
 */
import { FormatError, readCocoJson, scanCocoResults, type JsonVisitOptions } from '@babelrs/formats';
import { MetricsInputError } from '../errors.js';
import type { EvalDataset, EvalImage } from '../types.js';
import { checkClassList } from './class-list.js';
import { Growable } from './growable.js';
import { TopKPerGroup } from './top-k-per-group.js';

export interface CocoReadOptions {
  /** Class names to evaluate, in order; every category used must be one of them. */
  classes?: string[];
  /** Stream JSON files at least this big (default 64 MiB). */
  streamAboveBytes?: number;
}

export interface CocoGroundTruth {
  file: string;
  images: EvalImage[];
  imageIndexById: Map<number | string, number>;
  classes: string[];
  classIndexByCategoryId: Map<number | string, number>;
  /** Category names by id (for messages about categories outside the class list). */
  categoryNameById: Map<number, string>;
  dataset: Omit<EvalDataset, 'dets'>;
}

/** Reads a COCO instances file into images, classes and the GT table. */
export function readCocoGroundTruth(file: string, opts: CocoReadOptions = {}): CocoGroundTruth {
  const coco = readCocoJson(file, { streamAboveBytes: opts.streamAboveBytes, imageSize: 'optional' });
  const imgs = [...coco.images].sort((a, b) => a.id - b.id); // pycocotools evaluates images by ascending id
  const imageIndexById = new Map<number | string, number>(imgs.map((im, i) => [im.id, i]));
  const cats = [...coco.categories].sort((a, b) => a.id - b.id);
  if (opts.classes) checkClassList(opts.classes, 'classes');
  const classes = opts.classes ? [...opts.classes] : cats.map((c) => c.name);
  if (classes.length === 0) throw new MetricsInputError(file, 'no classes: the file has no categories and no class list was given');
  const classIndexByCategoryId = new Map<number | string, number>();
  const categoryNameById = new Map<number, string>();
  for (const c of cats) {
    categoryNameById.set(c.id, c.name);
    const k = classes.indexOf(c.name);
    if (k >= 0) classIndexByCategoryId.set(c.id, k);
  }
  const anns = coco.annotations;
  const n = anns.length;
  const gts = {
    boxes: new Float64Array(n * 4),
    labels: new Int32Array(n),
    imageIndex: new Int32Array(n),
    difficult: new Uint8Array(n),
    crowd: new Uint8Array(n),
    area: new Float64Array(n),
    boxArea: new Float64Array(n),
  };
  anns.forEach((a, i) => {
    gts.imageIndex[i] = imageIndexById.get(a.imageId)!;
    const k = classIndexByCategoryId.get(a.categoryId);
    if (k === undefined) throw new FormatError({ file, field: `${coco.variant.annotationsKey}[${i}].category_id` }, `category "${categoryNameById.get(a.categoryId)}" is not in the class list`);
    gts.labels[i] = k;
    putXywh(a.bbox, gts.boxes, i);
    gts.area[i] = a.area;
    gts.boxArea[i] = a.bbox[2] * a.bbox[3];
    gts.crowd[i] = a.iscrowd;
    gts.difficult[i] = a.iscrowd === 1 || a.ignore === 1 ? 1 : 0;
  });
  const images = imgs.map((im) => ({ name: im.fileName }));
  return { file, images, imageIndexById, classes, classIndexByCategoryId, categoryNameById, dataset: { geometry: 'hbb', classes, images, gts } };
}

function putXywh(b: readonly number[], out: Float64Array, row: number): void {
  out[4 * row] = b[0];
  out[4 * row + 1] = b[1];
  out[4 * row + 2] = b[0] + b[2];
  out[4 * row + 3] = b[1] + b[3];
}

export interface CocoResultsReadOptions extends JsonVisitOptions {
  /**
   * Keep only the best `maxDetsPerImageClass` detections of each (image, category) — by score,
   * ties to the earlier one in the file — as pycocotools' stable sort + `[:maxDets[-1]]` does
   * (100 for the coco protocol). Memory is then bounded by what can be matched, not by the file.
   * Every entry is still validated. Default: keep all (voc/dota protocols have no cut).
   */
  maxDetsPerImageClass?: number;
}

/** Reads a COCO results list against its ground truth; returns the complete dataset. */
export function readCocoResults(file: string, gt: CocoGroundTruth, opts: CocoResultsReadOptions = {}): EvalDataset {
  const boxes = new Growable(Float64Array, 4);
  const labels = new Growable(Int32Array);
  const imageIndex = new Growable(Int32Array);
  const scores = new Growable(Float64Array);
  const area = new Growable(Float64Array);
  const numImages = gt.images.length;
  const topK = opts.maxDetsPerImageClass === undefined ? undefined : new TopKPerGroup(numImages * gt.classes.length, opts.maxDetsPerImageClass);
  scanCocoResults(
    file,
    (r, i) => {
      const im = gt.imageIndexById.get(r.imageId);
      if (im === undefined) throw new FormatError({ file, field: `[${i}].image_id` }, `unknown image id ${r.imageId} (not in the ground truth)`);
      const k = gt.classIndexByCategoryId.get(r.categoryId);
      if (k === undefined) {
        const name = gt.categoryNameById.get(r.categoryId);
        throw new FormatError({ file, field: `[${i}].category_id` }, name !== undefined ? `category "${name}" is not in the class list` : `unknown category id ${r.categoryId}`);
      }
      let row = labels.length;
      if (topK) {
        row = topK.offer(k * numImages + im, r.score);
        if (row < 0) return; // below the cut of its (image, category): can never count
      }
      if (row === labels.length) {
        boxes.pushRow();
        labels.pushRow();
        imageIndex.pushRow();
        scores.pushRow();
        area.pushRow();
      }
      const b = r.bbox;
      const at = 4 * row;
      boxes.data[at] = b[0];
      boxes.data[at + 1] = b[1];
      boxes.data[at + 2] = b[0] + b[2];
      boxes.data[at + 3] = b[1] + b[3];
      labels.data[row] = k;
      imageIndex.data[row] = im;
      scores.data[row] = r.score;
      area.data[row] = b[2] * b[3];
    },
    opts,
  );
  // A result's area is w·h (pycocotools `loadRes`), so it is also the IoU's box area.
  if (!topK) {
    const a = area.finish();
    return { ...gt.dataset, dets: { boxes: boxes.finish(), labels: labels.finish(), imageIndex: imageIndex.finish(), scores: scores.finish(), area: a, boxArea: a } };
  }
  // Kept rows back in file order (slots of evicted rows were reused), one column at a time so
  // that each grown column is released before the next copy.
  const order = topK.order();
  return {
    ...gt.dataset,
    dets: {
      boxes: boxes.gather(order),
      labels: labels.gather(order),
      imageIndex: imageIndex.gather(order),
      scores: scores.gather(order),
      ...withBoxArea(area.gather(order)),
    },
  };
}

function withBoxArea(a: Float64Array): { area: Float64Array; boxArea: Float64Array } {
  return { area: a, boxArea: a };
}

/** GT file + results file → dataset (images without modality; see `applyModalityMap`). */
export function readCocoDataset(gtFile: string, resultsFile: string, opts: CocoReadOptions & Pick<CocoResultsReadOptions, 'maxDetsPerImageClass'> = {}): EvalDataset {
  return readCocoResults(resultsFile, readCocoGroundTruth(gtFile, opts), { streamAboveBytes: opts.streamAboveBytes, maxDetsPerImageClass: opts.maxDetsPerImageClass });
}
