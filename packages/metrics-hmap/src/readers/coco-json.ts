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
import fs from 'node:fs';
import { FormatError, readCocoJsonColumns, scanCocoResultFields, type JsonVisitOptions } from '@babelrs/formats';
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
  const coco = readCocoJsonColumns(file, { streamAboveBytes: opts.streamAboveBytes, imageSize: 'optional' });
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
  const a = coco.annotations;
  const n = a.count;
  const gts = {
    boxes: new Float64Array(n * 4),
    labels: new Int32Array(n),
    imageIndex: new Int32Array(n),
    difficult: new Uint8Array(n),
    crowd: new Uint8Array(n),
    area: new Float64Array(n),
    boxArea: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    gts.imageIndex[i] = imageIndexById.get(a.imageId[i])!;
    const k = classIndexByCategoryId.get(a.categoryId[i]);
    if (k === undefined) throw new FormatError({ file, field: `${coco.variant.annotationsKey}[${i}].category_id` }, `category "${categoryNameById.get(a.categoryId[i])}" is not in the class list`);
    gts.labels[i] = k;
    const x = a.bbox[4 * i];
    const y = a.bbox[4 * i + 1];
    const w = a.bbox[4 * i + 2];
    const h = a.bbox[4 * i + 3];
    gts.boxes[4 * i] = x;
    gts.boxes[4 * i + 1] = y;
    gts.boxes[4 * i + 2] = x + w;
    gts.boxes[4 * i + 3] = y + h;
    gts.area[i] = a.area[i];
    gts.boxArea[i] = w * h;
    gts.crowd[i] = a.iscrowd[i];
    gts.difficult[i] = a.iscrowd[i] === 1 || a.ignore[i] === 1 ? 1 : 0;
  }
  const images = imgs.map((im) => ({ name: im.fileName }));
  return { file, images, imageIndexById, classes, classIndexByCategoryId, categoryNameById, dataset: { geometry: 'hbb', classes, images, gts } };
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
  const numImages = gt.images.length;
  const topK = opts.maxDetsPerImageClass === undefined ? undefined : new TopKPerGroup(numImages * gt.classes.length, opts.maxDetsPerImageClass);
  // Without a cut every entry is kept: room for as many rows as the file can hold (a valid entry
  // takes ≥ 56 bytes) up front, so the columns never double and copy. Pages never written are
  // never committed, so the estimate's slack costs address space only.
  const rows = topK ? 1024 : Math.min(Math.ceil(fileBytes(file) / 50) + 16, 1 << 23);
  const boxes = new Growable(Float64Array, 4, rows);
  const labels = new Growable(Int32Array, 1, rows);
  const imageIndex = new Growable(Int32Array, 1, rows);
  const scores = new Growable(Float64Array, 1, rows);
  const area = new Growable(Float64Array, 1, rows);
  const imageOf = denseIndex(gt.imageIndexById);
  const classOf = denseIndex(gt.classIndexByCategoryId);
  scanCocoResultFields(
    file,
    (r, i) => {
      const { imageId, categoryId, x, y, w, h, score } = r;
      const im = imageOf(imageId);
      if (im < 0) throw new FormatError({ file, field: `[${i}].image_id` }, `unknown image id ${imageId} (not in the ground truth)`);
      const k = classOf(categoryId);
      if (k < 0) {
        const name = gt.categoryNameById.get(categoryId);
        throw new FormatError({ file, field: `[${i}].category_id` }, name !== undefined ? `category "${name}" is not in the class list` : `unknown category id ${categoryId}`);
      }
      let row = labels.length;
      if (topK) {
        row = topK.offer(k * numImages + im, score);
        if (row < 0) return; // below the cut of its (image, category): can never count
      }
      if (row === labels.length) {
        boxes.pushRow();
        labels.pushRow();
        imageIndex.pushRow();
        scores.pushRow();
        area.pushRow();
      }
      const at = 4 * row;
      boxes.data[at] = x;
      boxes.data[at + 1] = y;
      boxes.data[at + 2] = x + w;
      boxes.data[at + 3] = y + h;
      labels.data[row] = k;
      imageIndex.data[row] = im;
      scores.data[row] = score;
      area.data[row] = w * h;
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

/** The file's size, 0 when it cannot be read (the reader then names the problem). */
function fileBytes(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * `id → index` (−1 when absent) of a Map with integer keys: a typed-array table when the ids
 * are small non-negative integers (1..N, as COCO files number them), so the per-detection
 * lookup of millions of results is an array read rather than a hash lookup.
 */
function denseIndex(map: Map<number | string, number>): (id: number) => number {
  let max = -1;
  for (const id of map.keys()) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) return (id) => map.get(id) ?? -1;
    if (id > max) max = id;
  }
  if (max > 4 * map.size + 1024) return (id) => map.get(id) ?? -1;
  const table = new Int32Array(max + 1).fill(-1);
  for (const [id, i] of map) table[id as number] = i;
  return (id) => (id >= 0 && id <= max && Number.isInteger(id) ? table[id] : -1);
}

function withBoxArea(a: Float64Array): { area: Float64Array; boxArea: Float64Array } {
  return { area: a, boxArea: a };
}

/** GT file + results file → dataset (images without modality; see `applyModalityMap`). */
export function readCocoDataset(gtFile: string, resultsFile: string, opts: CocoReadOptions & Pick<CocoResultsReadOptions, 'maxDetsPerImageClass'> = {}): EvalDataset {
  return readCocoResults(resultsFile, readCocoGroundTruth(gtFile, opts), { streamAboveBytes: opts.streamAboveBytes, maxDetsPerImageClass: opts.maxDetsPerImageClass });
}
