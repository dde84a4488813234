/**
 * COCO readers: instances ground truth JSON + a results list
 * `[{ image_id, category_id, bbox: [x, y, w, h], score }]`.
 *
 * Input rules: boxes become xyxy (`x + w`, as pycocotools' IoU does); the GT `area` field is
 * kept for the coco area ranges (w·h if absent), a result's area is w·h (pycocotools
 * `loadRes`); `iscrowd: 1` sets `crowd` (coco protocol) and, with `ignore: 1`, `difficult`
 * (voc-family protocols); images are ordered by id, classes are `classes` if given, else the
 * categories ordered by id. HIT-UAV's COCO-like variant (`annotation`, `filename`) is read too.
 */
import { MetricsInputError } from '../errors.js';
import type { EvalDataset, EvalImage } from '../types.js';
import { checkClassList } from './class-list.js';
import { readJsonFile } from './read-text.js';

export interface CocoReadOptions {
  /** Class names to evaluate, in order; every category used must be one of them. */
  classes?: string[];
}

type Json = Record<string, unknown>;

function asArray(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new MetricsInputError(where, 'expected an array');
  return v;
}

function asObject(v: unknown, where: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new MetricsInputError(where, 'expected an object');
  return v as Json;
}

function finite(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new MetricsInputError(where, `expected a finite number, got ${JSON.stringify(v)}`);
  return v;
}

function idOf(v: unknown, where: string): number | string {
  if (typeof v === 'number' || typeof v === 'string') return v;
  throw new MetricsInputError(where, `expected an id (number or string), got ${JSON.stringify(v)}`);
}

/** Writes `[x, y, w, h]` at `v` as xyxy row `row` of `out`; returns w·h (pycocotools' result area). */
function putXywh(v: unknown, whereOf: () => string, out: Float64Array, row: number): number {
  if (!Array.isArray(v) || v.length !== 4) {
    throw new MetricsInputError(whereOf(), Array.isArray(v) ? `expected [x, y, w, h], got ${v.length} values` : 'expected [x, y, w, h]');
  }
  const [x, y, w, h] = v as unknown[];
  if (typeof x !== 'number' || typeof y !== 'number' || typeof w !== 'number' || typeof h !== 'number' || !Number.isFinite(x + y + w + h)) {
    const k = [x, y, w, h].findIndex((c) => typeof c !== 'number' || !Number.isFinite(c));
    throw new MetricsInputError(`${whereOf()}[${k}]`, `expected a finite number, got ${JSON.stringify(v[k])}`);
  }
  // pycocotools silently scores a negative width or height (its IoU then mixes signs); such
  // a box comes from a broken converter, so say where it is.
  if (w < 0 || h < 0) throw new MetricsInputError(`${whereOf()}[${w < 0 ? 2 : 3}]`, `${w < 0 ? 'width' : 'height'} ${w < 0 ? w : h} is negative (bbox is [x, y, w, h])`);
  out[4 * row] = x;
  out[4 * row + 1] = y;
  out[4 * row + 2] = x + w;
  out[4 * row + 3] = y + h;
  return w * h;
}

export interface CocoGroundTruth {
  file: string;
  images: EvalImage[];
  imageIndexById: Map<number | string, number>;
  classes: string[];
  classIndexByCategoryId: Map<number | string, number>;
  dataset: Omit<EvalDataset, 'dets'>;
}

/** Reads a COCO instances file into images, classes and the GT table. */
export function readCocoGroundTruth(file: string, opts: CocoReadOptions = {}): CocoGroundTruth {
  const root = asObject(readJsonFile(file), file);
  const imgs = asArray(root.images, `${file}: images`).map((v, i) => {
    const o = asObject(v, `${file}: images[${i}]`);
    // HIT-UAV's COCO-like files write `filename`; the name only serves modality maps and messages.
    const nameKey = o.file_name !== undefined ? 'file_name' : o.filename !== undefined ? 'filename' : undefined;
    const name = nameKey ? o[nameKey] : String(o.id);
    if (typeof name !== 'string') throw new MetricsInputError(`${file}: images[${i}].${nameKey}`, 'expected a string');
    return { id: idOf(o.id, `${file}: images[${i}].id`), name };
  });
  imgs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)); // pycocotools evaluates images by ascending id
  const imageIndexById = new Map<number | string, number>();
  imgs.forEach((im, i) => {
    if (imageIndexById.has(im.id)) throw new MetricsInputError(`${file}: images`, `duplicate image id ${im.id}`);
    imageIndexById.set(im.id, i);
  });
  const cats = asArray(root.categories ?? [], `${file}: categories`).map((v, i) => {
    const o = asObject(v, `${file}: categories[${i}]`);
    if (typeof o.name !== 'string') throw new MetricsInputError(`${file}: categories[${i}].name`, 'expected a string');
    return { id: idOf(o.id, `${file}: categories[${i}].id`), name: o.name };
  });
  checkCategories(cats, file);
  cats.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (opts.classes) checkClassList(opts.classes, 'classes');
  const classes = opts.classes ? [...opts.classes] : cats.map((c) => c.name);
  if (classes.length === 0) throw new MetricsInputError(file, 'no classes: the file has no categories and no class list was given');
  const classIndexByCategoryId = new Map<number | string, number>();
  for (const c of cats) {
    const k = classes.indexOf(c.name);
    if (k >= 0) classIndexByCategoryId.set(c.id, k);
  }
  const anns = annotationsOf(root, file);
  const n = anns.length;
  const gts = {
    boxes: new Float64Array(n * 4),
    labels: new Int32Array(n),
    imageIndex: new Int32Array(n),
    difficult: new Uint8Array(n),
    crowd: new Uint8Array(n),
    area: new Float64Array(n),
  };
  anns.forEach((v, i) => {
    const where = `${file}: annotations[${i}]`;
    const o = asObject(v, where);
    gts.imageIndex[i] = lookup(imageIndexById, o.image_id, `${where}.image_id`, 'image id');
    gts.labels[i] = lookupClass(classIndexByCategoryId, cats, o.category_id, `${where}.category_id`);
    const boxArea = putXywh(o.bbox, () => `${where}.bbox`, gts.boxes, i);
    gts.area[i] = o.area === undefined ? boxArea : finite(o.area, `${where}.area`);
    const iscrowd = o.iscrowd === 1 || o.iscrowd === true;
    const ignore = o.ignore === 1 || o.ignore === true;
    gts.crowd[i] = iscrowd ? 1 : 0;
    gts.difficult[i] = iscrowd || ignore ? 1 : 0;
  });
  const images = imgs.map((im) => ({ name: im.name }));
  return { file, images, imageIndexById, classes, classIndexByCategoryId, dataset: { geometry: 'hbb', classes, images, gts } };
}

/**
 * The GT annotation list. HIT-UAV's COCO-like JSON names it `annotation` (singular); read that
 * too. A file with neither key is an error, not "no ground truth": evaluating against an empty
 * GT would print mAP 0 (or −1) with exit code 0 for what is really a wrong file.
 */
function annotationsOf(root: Json, file: string): unknown[] {
  if (root.annotations !== undefined) return asArray(root.annotations, `${file}: annotations`);
  if (root.annotation !== undefined) return asArray(root.annotation, `${file}: annotation`);
  const keys = Object.keys(root).map((k) => JSON.stringify(k)).join(', ');
  throw new MetricsInputError(file, `no "annotations" array: not a COCO ground-truth file? (top-level keys: ${keys || 'none'}; a GT without objects has "annotations": [])`);
}

/**
 * Category ids and names must be unique: classes are matched by name, so two categories
 * named alike would be merged into one class (pycocotools keeps them apart), and a repeated
 * id would silently re-map the earlier category.
 */
function checkCategories(cats: { id: number | string; name: string }[], file: string): void {
  const byId = new Map<number | string, number>();
  const byName = new Map<string, number>();
  cats.forEach((c, i) => {
    const sameId = byId.get(c.id);
    if (sameId !== undefined) throw new MetricsInputError(`${file}: categories[${i}].id`, `duplicate category id ${JSON.stringify(c.id)} (also categories[${sameId}])`);
    const sameName = byName.get(c.name);
    if (sameName !== undefined) throw new MetricsInputError(`${file}: categories[${i}].name`, `duplicate category name "${c.name}" (also categories[${sameName}])`);
    byId.set(c.id, i);
    byName.set(c.name, i);
  });
}

function lookup(map: Map<number | string, number>, id: unknown, where: string, what: string, hint = ''): number {
  const k = map.get(id as number | string);
  if (k === undefined) throw new MetricsInputError(where, `unknown ${what} ${JSON.stringify(id)}${hint}`);
  return k;
}

function lookupClass(map: Map<number | string, number>, cats: { id: number | string; name: string }[], id: unknown, where: string): number {
  const k = map.get(id as number | string);
  if (k !== undefined) return k;
  const cat = cats.find((c) => c.id === id);
  throw new MetricsInputError(where, cat ? `category "${cat.name}" is not in the class list` : `unknown category id ${JSON.stringify(id)}`);
}

/** Reads a COCO results list against its ground truth; returns the complete dataset. */
export function readCocoResults(file: string, gt: CocoGroundTruth): EvalDataset {
  const list = asArray(readJsonFile(file), file);
  const n = list.length;
  const dets = {
    boxes: new Float64Array(n * 4),
    labels: new Int32Array(n),
    imageIndex: new Int32Array(n),
    scores: new Float64Array(n),
    area: new Float64Array(n),
  };
  const cats = [...gt.classIndexByCategoryId.keys()].map((id) => ({ id, name: gt.classes[gt.classIndexByCategoryId.get(id)!] }));
  // Hot loop (a million entries): field paths for errors are built only when one is thrown.
  const at = (i: number): string => `${file}: [${i}]`;
  for (let i = 0; i < n; i++) {
    const o = list[i] as Json;
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new MetricsInputError(at(i), 'expected an object');
    const im = gt.imageIndexById.get(o.image_id as number);
    dets.imageIndex[i] = im ?? lookup(gt.imageIndexById, o.image_id, `${at(i)}.image_id`, 'image id', ' (not in the ground truth)');
    const cl = gt.classIndexByCategoryId.get(o.category_id as number);
    dets.labels[i] = cl ?? lookupClass(gt.classIndexByCategoryId, cats, o.category_id, `${at(i)}.category_id`);
    dets.area[i] = putXywh(o.bbox, () => `${at(i)}.bbox`, dets.boxes, i);
    const score = o.score;
    dets.scores[i] = typeof score === 'number' && Number.isFinite(score) ? score : finite(score, `${at(i)}.score`);
  }
  return { ...gt.dataset, dets };
}

/** GT file + results file → dataset (images without modality; see `applyModalityMap`). */
export function readCocoDataset(gtFile: string, resultsFile: string, opts: CocoReadOptions = {}): EvalDataset {
  return readCocoResults(resultsFile, readCocoGroundTruth(gtFile, opts));
}
