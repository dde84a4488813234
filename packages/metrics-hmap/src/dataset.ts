import { MetricsInputError } from './errors.js';
import { BOX_DIM, type BoxGeometry, type EvalDataset, type EvalImage } from './types.js';

/** One ground truth in the object form of the in-memory API. */
export interface GroundTruthObject {
  /** Image index into `images`, or the image's name. */
  image: number | string;
  /** Class index into `classes`, or the class name. */
  label: number | string;
  box: ArrayLike<number>;
  difficult?: boolean;
  crowd?: boolean;
  area?: number;
}

/** One detection in the object form of the in-memory API. */
export interface DetectionObject {
  image: number | string;
  label: number | string;
  box: ArrayLike<number>;
  score: number;
  area?: number;
}

export interface DatasetObjects {
  geometry: BoxGeometry;
  classes: string[];
  images: EvalImage[];
  gts: GroundTruthObject[];
  dets: DetectionObject[];
}

/** Resolves a class or image reference (index or name) to an index, or throws naming the field. */
function resolveIndex(ref: number | string, names: string[], lookup: Map<string, number>, where: string, what: string): number {
  if (typeof ref === 'number') {
    if (Number.isInteger(ref) && ref >= 0 && ref < names.length) return ref;
    throw new MetricsInputError(where, `${what} index ${ref} is out of range [0, ${names.length})`);
  }
  const idx = lookup.get(ref);
  if (idx === undefined) throw new MetricsInputError(where, `unknown ${what} "${ref}"`);
  return idx;
}

function copyBox(dst: Float64Array, row: number, box: ArrayLike<number>, dim: number, where: string): void {
  if (!box || box.length !== dim) throw new MetricsInputError(where, `expected ${dim} coordinates, got ${box?.length ?? 'none'}`);
  for (let k = 0; k < dim; k++) {
    const v = box[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new MetricsInputError(where, `coordinate ${k} is not a finite number (${String(v)})`);
    dst[row * dim + k] = v;
  }
}

function nameIndex(names: string[], where: string, what: string): Map<string, number> {
  const map = new Map<string, number>();
  names.forEach((n, i) => {
    if (map.has(n)) throw new MetricsInputError(where, `duplicate ${what} "${n}"`);
    map.set(n, i);
  });
  return map;
}

/**
 * Builds the columnar dataset from plain objects, validating every field (error messages name
 * the offending entry, e.g. `dets[12].score`). Row order is kept: it is the tie-break order.
 */
export function createDataset(input: DatasetObjects): EvalDataset {
  const { geometry, classes, images } = input;
  const dim = BOX_DIM[geometry];
  if (dim === undefined) throw new MetricsInputError('geometry', `unknown geometry "${String(geometry)}" (hbb, obb or poly)`);
  const classIdx = nameIndex(classes, 'classes', 'class');
  const imageNames = images.map((im) => im.name);
  const imageIdx = nameIndex(imageNames, 'images', 'image name');

  const nG = input.gts.length;
  const gts = {
    boxes: new Float64Array(nG * dim),
    labels: new Int32Array(nG),
    imageIndex: new Int32Array(nG),
    difficult: new Uint8Array(nG),
    crowd: new Uint8Array(nG),
    area: undefined as Float64Array | undefined,
  };
  const anyGtArea = input.gts.some((g) => g.area !== undefined);
  if (anyGtArea) gts.area = new Float64Array(nG);
  input.gts.forEach((g, i) => {
    const where = `gts[${i}]`;
    gts.labels[i] = resolveIndex(g.label, classes, classIdx, `${where}.label`, 'class');
    gts.imageIndex[i] = resolveIndex(g.image, imageNames, imageIdx, `${where}.image`, 'image');
    copyBox(gts.boxes, i, g.box, dim, `${where}.box`);
    gts.difficult[i] = g.difficult ? 1 : 0;
    gts.crowd[i] = (g.crowd ?? g.difficult) ? 1 : 0;
    if (gts.area) {
      if (typeof g.area !== 'number' || !Number.isFinite(g.area)) throw new MetricsInputError(`${where}.area`, 'missing or not a finite number (give area for all GTs or none)');
      gts.area[i] = g.area;
    }
  });

  const nD = input.dets.length;
  const dets = {
    boxes: new Float64Array(nD * dim),
    labels: new Int32Array(nD),
    imageIndex: new Int32Array(nD),
    scores: new Float64Array(nD),
    area: undefined as Float64Array | undefined,
  };
  const anyDetArea = input.dets.some((d) => d.area !== undefined);
  if (anyDetArea) dets.area = new Float64Array(nD);
  input.dets.forEach((d, i) => {
    const where = `dets[${i}]`;
    dets.labels[i] = resolveIndex(d.label, classes, classIdx, `${where}.label`, 'class');
    dets.imageIndex[i] = resolveIndex(d.image, imageNames, imageIdx, `${where}.image`, 'image');
    copyBox(dets.boxes, i, d.box, dim, `${where}.box`);
    if (typeof d.score !== 'number' || !Number.isFinite(d.score)) throw new MetricsInputError(`${where}.score`, `score is not a finite number (${String(d.score)})`);
    dets.scores[i] = d.score;
    if (dets.area) {
      if (typeof d.area !== 'number' || !Number.isFinite(d.area)) throw new MetricsInputError(`${where}.area`, 'missing or not a finite number (give area for all detections or none)');
      dets.area[i] = d.area;
    }
  });
  return { geometry, classes: [...classes], images: images.map((im) => ({ ...im })), gts, dets };
}

function pickRows<T extends Float64Array | Int32Array | Uint8Array>(src: T, rows: Int32Array, width: number): T {
  const out = new (src.constructor as new (n: number) => T)(rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    const s = rows[r] * width;
    for (let k = 0; k < width; k++) out[r * width + k] = src[s + k];
  }
  return out;
}

/**
 * The dataset restricted to the images for which `keep` is true (all their GTs and detections
 * kept, order preserved). Used for per-modality evaluation.
 */
export function selectImages(ds: EvalDataset, keep: (image: EvalImage, index: number) => boolean): EvalDataset {
  const newIndex = new Int32Array(ds.images.length).fill(-1);
  const images: EvalImage[] = [];
  ds.images.forEach((im, i) => {
    if (keep(im, i)) {
      newIndex[i] = images.length;
      images.push(im);
    }
  });
  const rowsOf = (imageIndex: Int32Array): Int32Array => {
    const rows: number[] = [];
    for (let i = 0; i < imageIndex.length; i++) if (newIndex[imageIndex[i]] >= 0) rows.push(i);
    return Int32Array.from(rows);
  };
  const remap = (imageIndex: Int32Array): Int32Array => imageIndex.map((i) => newIndex[i]);
  const dim = BOX_DIM[ds.geometry];
  const g = rowsOf(ds.gts.imageIndex);
  const d = rowsOf(ds.dets.imageIndex);
  return {
    geometry: ds.geometry,
    classes: ds.classes,
    images,
    gts: {
      boxes: pickRows(ds.gts.boxes, g, dim),
      labels: pickRows(ds.gts.labels, g, 1),
      imageIndex: remap(pickRows(ds.gts.imageIndex, g, 1)),
      difficult: pickRows(ds.gts.difficult, g, 1),
      crowd: ds.gts.crowd && pickRows(ds.gts.crowd, g, 1),
      area: ds.gts.area && pickRows(ds.gts.area, g, 1),
      boxArea: ds.gts.boxArea && pickRows(ds.gts.boxArea, g, 1),
    },
    dets: {
      boxes: pickRows(ds.dets.boxes, d, dim),
      labels: pickRows(ds.dets.labels, d, 1),
      imageIndex: remap(pickRows(ds.dets.imageIndex, d, 1)),
      scores: pickRows(ds.dets.scores, d, 1),
      area: ds.dets.area && pickRows(ds.dets.area, d, 1),
      boxArea: ds.dets.boxArea && pickRows(ds.dets.boxArea, d, 1),
    },
  };
}

/** Modalities in order of first appearance among the images. */
export function modalitiesOf(ds: EvalDataset): string[] {
  const seen: string[] = [];
  for (const im of ds.images) if (im.modality !== undefined && !seen.includes(im.modality)) seen.push(im.modality);
  return seen;
}

/** Throws naming `name[i]` unless `column` has exactly `n` entries. */
function checkLength(name: string, column: ArrayLike<number> | undefined, n: number, optional: boolean): void {
  if (column === undefined && optional) return;
  if (!column || column.length !== n) throw new MetricsInputError(name, `has ${column?.length ?? 'no'} entries, expected ${n} (one per row)`);
}

/** Throws at the first non-finite value of a row-major column, naming its row. */
function checkFinite(name: string, column: ArrayLike<number> | undefined, dim: number, what: string): void {
  if (!column) return;
  for (let i = 0; i < column.length; i++) {
    if (!Number.isFinite(column[i])) {
      const row = Math.floor(i / dim);
      throw new MetricsInputError(dim > 1 ? `${name}[${row}][${i % dim}]` : `${name}[${row}]`, `${what} is not a finite number (${column[i]})`);
    }
  }
}

/**
 * Checks a columnar dataset built by hand: every column has one entry per row, indices are in
 * range, boxes, scores and areas are finite. Errors name the column and row (`dets.scores[3]`),
 * so a NaN box is reported as the user's row, not as a row deep inside an IoU call.
 */
export function validateDataset(ds: EvalDataset): void {
  const dim = BOX_DIM[ds.geometry];
  if (dim === undefined) throw new MetricsInputError('geometry', `unknown geometry "${String(ds.geometry)}"`);
  const check = (name: string, n: number, boxes: Float64Array, labels: Int32Array, imageIndex: Int32Array): void => {
    if (boxes.length !== n * dim) throw new MetricsInputError(`${name}.boxes`, `length ${boxes.length} is not ${n} rows × ${dim}`);
    checkLength(`${name}.imageIndex`, imageIndex, n, false);
    for (let i = 0; i < n; i++) {
      if (!(labels[i] >= 0 && labels[i] < ds.classes.length)) throw new MetricsInputError(`${name}.labels[${i}]`, `class index ${labels[i]} out of range`);
      if (!(imageIndex[i] >= 0 && imageIndex[i] < ds.images.length)) throw new MetricsInputError(`${name}.imageIndex[${i}]`, `image index ${imageIndex[i]} out of range`);
    }
    checkFinite(`${name}.boxes`, boxes, dim, 'coordinate');
  };
  const nG = ds.gts.labels.length;
  const nD = ds.dets.labels.length;
  check('gts', nG, ds.gts.boxes, ds.gts.labels, ds.gts.imageIndex);
  check('dets', nD, ds.dets.boxes, ds.dets.labels, ds.dets.imageIndex);
  checkLength('gts.difficult', ds.gts.difficult, nG, false);
  checkLength('gts.crowd', ds.gts.crowd, nG, true);
  checkLength('gts.area', ds.gts.area, nG, true);
  checkLength('dets.scores', ds.dets.scores, nD, false);
  checkLength('dets.area', ds.dets.area, nD, true);
  checkLength('gts.boxArea', ds.gts.boxArea, nG, true);
  checkLength('dets.boxArea', ds.dets.boxArea, nD, true);
  checkFinite('gts.boxArea', ds.gts.boxArea, 1, 'box area');
  checkFinite('dets.boxArea', ds.dets.boxArea, 1, 'box area');
  checkFinite('gts.area', ds.gts.area, 1, 'area');
  checkFinite('dets.area', ds.dets.area, 1, 'area');
  for (let i = 0; i < nD; i++) {
    if (!Number.isFinite(ds.dets.scores[i])) throw new MetricsInputError(`dets.scores[${i}]`, `score is not a finite number (${ds.dets.scores[i]})`);
  }
}
