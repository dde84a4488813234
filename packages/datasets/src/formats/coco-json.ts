/**
 * COCO instances JSON reader (SAR: SARDet-50K / SARDet-100K), plus the COCO-like variants
 * real datasets ship:
 * - top-level `annotation` instead of `annotations` (HIT-UAV),
 * - `filename` instead of `file_name` in `images[]` (HIT-UAV),
 * - category ids starting at 0 instead of 1 (HIT-UAV).
 * With `variants: 'accept'` (default) each one is read and reported as a notice; with
 * `'reject'` the file is refused with a message listing exactly what differs.
 * Every reference is checked: an annotation whose `image_id` or `category_id` does not resolve
 * is an error naming the field (`annotations[12].image_id`).
 */
import fs from 'node:fs';
import { DatasetError, IssueSink, type ReadOptions, type SkippedRecord } from '../errors.js';

export interface CocoImage {
  id: number;
  fileName: string;
  width: number;
  height: number;
}

export interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
}

export interface CocoAnnotation {
  id: number;
  imageId: number;
  categoryId: number;
  /** `[x, y, w, h]` in pixels (COCO convention). */
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0 | 1;
  /** Some datasets mark boxes to ignore with `ignore: 1`. */
  ignore?: 0 | 1;
}

/** Which COCO-like deviations the file had. */
export interface CocoVariant {
  annotationsKey: 'annotations' | 'annotation';
  fileNameKey: 'file_name' | 'filename';
  zeroBasedCategoryIds: boolean;
}

export interface CocoDataset {
  file: string;
  images: CocoImage[];
  categories: CocoCategory[];
  annotations: CocoAnnotation[];
  variant: CocoVariant;
  skipped: SkippedRecord[];
  notices: string[];
}

export interface CocoReadOptions extends ReadOptions {
  /** Read COCO-like variants with a notice (default) or reject them. */
  variants?: 'accept' | 'reject';
  sink?: IssueSink;
}

/** Reads a COCO instances JSON file. */
export function readCocoJson(file: string, opts: CocoReadOptions = {}): CocoDataset {
  return parseCocoJson(fs.readFileSync(file, 'utf8'), file, opts);
}

/** Parses COCO instances JSON text; `file` is used in error messages. */
export function parseCocoJson(text: string, file: string, opts: CocoReadOptions = {}): CocoDataset {
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text); // tolerate a UTF-8 BOM
  } catch (err) {
    throw new DatasetError({ file }, `invalid JSON: ${(err as Error).message}`);
  }
  if (!isObject(json)) throw new DatasetError({ file }, 'expected a JSON object at the top level');
  const sink = opts.sink ?? new IssueSink(opts.lenient);
  const skippedBefore = sink.skipped.length;
  const noticesBefore = sink.notices.length;

  const variant = detectVariant(json, file);
  reportVariant(variant, file, opts.variants ?? 'accept', sink);

  const categories = readCategories(json, file, sink);
  const images = readImages(json, file, variant.fileNameKey, sink);
  const annotations = readAnnotations(json[variant.annotationsKey], file, variant.annotationsKey, images, categories, sink);
  return {
    file,
    images: [...images.values()],
    categories: [...categories.values()],
    annotations,
    variant,
    skipped: sink.skipped.slice(skippedBefore),
    notices: sink.notices.slice(noticesBefore),
  };
}

function detectVariant(json: Record<string, unknown>, file: string): CocoVariant {
  const hasPlural = 'annotations' in json;
  const hasSingular = 'annotation' in json;
  if (hasPlural && hasSingular) throw new DatasetError({ file, field: 'annotation' }, 'both "annotations" and "annotation" are present; expected only "annotations"');
  if (!hasPlural && !hasSingular) throw new DatasetError({ file, field: 'annotations' }, 'missing top-level "annotations" array');
  const images = Array.isArray(json.images) ? json.images : [];
  const first = images.find(isObject);
  const fileNameKey = first && !('file_name' in first) && 'filename' in first ? 'filename' : 'file_name';
  const cats = Array.isArray(json.categories) ? json.categories.filter(isObject) : [];
  const zeroBasedCategoryIds = cats.some((c) => c.id === 0);
  return { annotationsKey: hasPlural ? 'annotations' : 'annotation', fileNameKey, zeroBasedCategoryIds };
}

function reportVariant(v: CocoVariant, file: string, mode: 'accept' | 'reject', sink: IssueSink): void {
  const diffs: string[] = [];
  if (v.annotationsKey === 'annotation') diffs.push('top-level key "annotation" instead of "annotations"');
  if (v.fileNameKey === 'filename') diffs.push('images use "filename" instead of "file_name"');
  if (v.zeroBasedCategoryIds) diffs.push('category ids start at 0 (COCO starts at 1)');
  if (diffs.length === 0) return;
  if (mode === 'reject') {
    throw new DatasetError({ file }, `COCO-like variant, not COCO instances JSON: ${diffs.join('; ')}`);
  }
  sink.notice(`${file}: read as a COCO-like variant: ${diffs.join('; ')}`);
}

function readCategories(json: Record<string, unknown>, file: string, sink: IssueSink): Map<number, CocoCategory> {
  const list = requireArray(json.categories, file, 'categories');
  const out = new Map<number, CocoCategory>();
  list.forEach((c, i) => {
    const field = `categories[${i}]`;
    if (!isObject(c)) return sink.fail({ file, field }, 'expected an object');
    const id = c.id;
    if (!isInt(id)) return sink.fail({ file, field: `${field}.id` }, `expected an integer id, got ${show(id)}`);
    if (typeof c.name !== 'string' || c.name === '') return sink.fail({ file, field: `${field}.name` }, `expected a non-empty string, got ${show(c.name)}`);
    if (out.has(id)) return sink.fail({ file, field: `${field}.id` }, `duplicate category id ${id}`);
    out.set(id, { id, name: c.name, ...(typeof c.supercategory === 'string' ? { supercategory: c.supercategory } : {}) });
  });
  return out;
}

function readImages(json: Record<string, unknown>, file: string, fileNameKey: string, sink: IssueSink): Map<number, CocoImage> {
  const list = requireArray(json.images, file, 'images');
  const out = new Map<number, CocoImage>();
  list.forEach((im, i) => {
    const field = `images[${i}]`;
    if (!isObject(im)) return sink.fail({ file, field }, 'expected an object');
    if (!isInt(im.id)) return sink.fail({ file, field: `${field}.id` }, `expected an integer id, got ${show(im.id)}`);
    const name = im[fileNameKey];
    if (typeof name !== 'string' || name === '') {
      // The key was chosen from images[0]; say so when this entry uses the other spelling.
      const other = fileNameKey === 'file_name' ? 'filename' : 'file_name';
      const mixed = other in im ? ` (this entry has "${other}"; images[0] set the key to "${fileNameKey}", and one file must use one spelling)` : '';
      return sink.fail({ file, field: `${field}.${fileNameKey}` }, `expected a non-empty string, got ${show(name)}${mixed}`);
    }
    for (const key of ['width', 'height'] as const) {
      if (!isInt(im[key]) || (im[key] as number) <= 0) return sink.fail({ file, field: `${field}.${key}` }, `expected a positive integer, got ${show(im[key])}`);
    }
    if (out.has(im.id)) return sink.fail({ file, field: `${field}.id` }, `duplicate image id ${im.id}`);
    out.set(im.id, { id: im.id, fileName: name, width: im.width as number, height: im.height as number });
  });
  return out;
}

function readAnnotations(
  value: unknown,
  file: string,
  key: string,
  images: Map<number, CocoImage>,
  categories: Map<number, CocoCategory>,
  sink: IssueSink,
): CocoAnnotation[] {
  const list = requireArray(value, file, key);
  const out: CocoAnnotation[] = [];
  const seen = new Set<number>();
  list.forEach((a, i) => {
    const ann = readAnnotation(a, `${key}[${i}]`, file, images, categories, sink);
    if (!ann) return;
    if (seen.has(ann.id)) return sink.fail({ file, field: `${key}[${i}].id` }, `duplicate annotation id ${ann.id}`);
    seen.add(ann.id);
    out.push(ann);
  });
  return out;
}

function readAnnotation(
  a: unknown,
  field: string,
  file: string,
  images: Map<number, CocoImage>,
  categories: Map<number, CocoCategory>,
  sink: IssueSink,
): CocoAnnotation | undefined {
  if (!isObject(a)) return void sink.fail({ file, field }, 'expected an object');
  if (!isInt(a.id)) return void sink.fail({ file, field: `${field}.id` }, `expected an integer id, got ${show(a.id)}`);
  if (!isInt(a.image_id) || !images.has(a.image_id)) {
    return void sink.fail({ file, field: `${field}.image_id` }, `image id ${show(a.image_id)} does not resolve to any entry of "images"`);
  }
  if (!isInt(a.category_id) || !categories.has(a.category_id)) {
    return void sink.fail({ file, field: `${field}.category_id` }, `category id ${show(a.category_id)} does not resolve to any entry of "categories"`);
  }
  const bbox = a.bbox;
  if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    return void sink.fail({ file, field: `${field}.bbox` }, `expected [x, y, w, h] with 4 finite numbers, got ${show(bbox)}`);
  }
  if (bbox[2] < 0 || bbox[3] < 0) return void sink.fail({ file, field: `${field}.bbox` }, `width and height must be ≥ 0, got ${show(bbox)}`);
  const iscrowd = a.iscrowd ?? 0;
  if (iscrowd !== 0 && iscrowd !== 1) return void sink.fail({ file, field: `${field}.iscrowd` }, `expected 0 or 1, got ${show(iscrowd)}`);
  const area = a.area ?? bbox[2] * bbox[3];
  if (typeof area !== 'number' || !Number.isFinite(area)) return void sink.fail({ file, field: `${field}.area` }, `expected a finite number, got ${show(area)}`);
  const ann: CocoAnnotation = { id: a.id, imageId: a.image_id, categoryId: a.category_id, bbox: [bbox[0], bbox[1], bbox[2], bbox[3]], area, iscrowd };
  if (a.ignore === 0 || a.ignore === 1) ann.ignore = a.ignore;
  return ann;
}

function requireArray(v: unknown, file: string, field: string): unknown[] {
  if (!Array.isArray(v)) throw new DatasetError({ file, field }, `expected an array, got ${show(v)}`);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  if (s === undefined) return 'nothing (field missing)';
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
