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
  };
  anns.forEach((a, i) => {
    gts.imageIndex[i] = imageIndexById.get(a.imageId)!;
    const k = classIndexByCategoryId.get(a.categoryId);
    if (k === undefined) throw new FormatError({ file, field: `${coco.variant.annotationsKey}[${i}].category_id` }, `category "${categoryNameById.get(a.categoryId)}" is not in the class list`);
    gts.labels[i] = k;
    putXywh(a.bbox, gts.boxes, i);
    gts.area[i] = a.area;
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

/** Reads a COCO results list against its ground truth; returns the complete dataset. */
export function readCocoResults(file: string, gt: CocoGroundTruth, opts: JsonVisitOptions = {}): EvalDataset {
  const boxes = new Growable(Float64Array, 4);
  const labels = new Growable(Int32Array);
  const imageIndex = new Growable(Int32Array);
  const scores = new Growable(Float64Array);
  const area = new Growable(Float64Array);
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
      const b = r.bbox;
      const at = boxes.pushRow();
      boxes.data[at] = b[0];
      boxes.data[at + 1] = b[1];
      boxes.data[at + 2] = b[0] + b[2];
      boxes.data[at + 3] = b[1] + b[3];
      labels.push(k);
      imageIndex.push(im);
      scores.push(r.score);
      area.push(b[2] * b[3]);
    },
    opts,
  );
  return { ...gt.dataset, dets: { boxes: boxes.finish(), labels: labels.finish(), imageIndex: imageIndex.finish(), scores: scores.finish(), area: area.finish() } };
}

/** GT file + results file → dataset (images without modality; see `applyModalityMap`). */
export function readCocoDataset(gtFile: string, resultsFile: string, opts: CocoReadOptions = {}): EvalDataset {
  return readCocoResults(resultsFile, readCocoGroundTruth(gtFile, opts), { streamAboveBytes: opts.streamAboveBytes });
}
