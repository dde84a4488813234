/**
 * COCO instances JSON reader (SAR: SARDet-50K / SARDet-100K; the evaluator's ground truth),
 * plus the COCO-like variants real datasets ship:
 * - top-level `annotation` instead of `annotations` (HIT-UAV),
 * - `filename` instead of `file_name` in `images[]` (HIT-UAV),
 * - category ids starting at 0 instead of 1 (HIT-UAV).
 * With `variants: 'accept'` (default) each one is read and reported as a notice; with
 * `'reject'` the file is refused with a message listing exactly what differs.
 * Entries are validated with the zod schemas of `coco-schema.ts`; ids must be unique, category
 * names non-empty and unique, and every reference must resolve. Errors name the file and the
 * JSON path (`annotations[17].area`). Files of 256 MiB or more are streamed (`visitJson`).
 */
import { FormatError, IssueSink, show, type ReadOptions, type SkippedRecord } from '../errors.js';
import { cocoAnnotationSchema, cocoCategorySchema, cocoImageSchema, checkEntry, isPlainCocoAnnotation, type CocoAnnotationEntry } from './coco-schema.js';
import { parseJsonText, visitJson, visitParsed, type JsonKind, type JsonVisitOptions, type JsonVisitPlan } from './json-visit.js';

export interface CocoImage {
  id: number;
  fileName: string;
  /** Pixels; 0 when the file leaves it out and `imageSize: 'optional'` allowed that. */
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

export interface CocoReadOptions extends ReadOptions, JsonVisitOptions {
  /** Read COCO-like variants with a notice (default) or reject them. */
  variants?: 'accept' | 'reject';
  /** `images[].width/height`: required (default; a data loader needs them) or optional (an evaluator does not). */
  imageSize?: 'required' | 'optional';
  sink?: IssueSink;
}

const ARRAYS = ['categories', 'images', 'annotations', 'annotation'] as const;

/** Reads a COCO instances JSON file (streamed when large). */
export function readCocoJson(file: string, opts: CocoReadOptions = {}): CocoDataset {
  const acc = new CocoAccumulator(file, opts);
  const { kinds } = visitJson(file, acc.plan, opts);
  return acc.finish(kinds);
}

/** Parses COCO instances JSON text; `file` is used in error messages. */
export function parseCocoJson(text: string, file: string, opts: CocoReadOptions = {}): CocoDataset {
  const acc = new CocoAccumulator(file, opts);
  const { kinds } = visitParsed(file, parseJsonText(text, file), acc.plan);
  return acc.finish(kinds);
}

class CocoAccumulator {
  readonly plan: JsonVisitPlan;
  private readonly sink: IssueSink;
  private readonly skippedBefore: number;
  private readonly noticesBefore: number;
  private readonly images = new Map<number, CocoImage>();
  private readonly categories = new Map<number, CocoCategory>();
  private readonly categoryNames = new Map<string, number>();
  private readonly annotations: { ann: CocoAnnotation; field: string }[] = [];
  private readonly annotationIds = new Map<number, number>();
  /** Arrays read completely: once images and categories are, references are checked in file order. */
  private readonly done = new Set<string>();
  private fileNameKey: 'file_name' | 'filename' | undefined;
  private imageSchema: ReturnType<typeof cocoImageSchema> | undefined;

  constructor(
    private readonly file: string,
    private readonly opts: CocoReadOptions,
  ) {
    this.sink = opts.sink ?? new IssueSink(opts.lenient);
    this.skippedBefore = this.sink.skipped.length;
    this.noticesBefore = this.sink.notices.length;
    this.plan = {
      root: 'object',
      arrays: ARRAYS,
      onElement: (key, value, i) => this.element(key, value, i),
      onArrayEnd: (key) => this.done.add(key),
    };
  }

  private element(key: string, value: unknown, i: number): void {
    const field = `${key}[${i}]`;
    if (key === 'categories') this.category(value, field);
    else if (key === 'images') this.image(value, field);
    else this.annotation(value, field);
  }

  private category(value: unknown, field: string): void {
    const r = checkEntry(cocoCategorySchema(), value, field);
    if (!r.ok) return this.sink.fail({ file: this.file, field: r.field }, r.reason);
    const c = r.value;
    if (this.categories.has(c.id)) return this.sink.fail({ file: this.file, field: `${field}.id` }, `duplicate category id ${c.id}`);
    const same = this.categoryNames.get(c.name);
    if (same !== undefined) return this.sink.fail({ file: this.file, field: `${field}.name` }, `duplicate category name "${c.name}" (also category id ${same}): classes are matched by name`);
    this.categoryNames.set(c.name, c.id);
    this.categories.set(c.id, { id: c.id, name: c.name, ...(typeof c.supercategory === 'string' ? { supercategory: c.supercategory } : {}) });
  }

  private image(value: unknown, field: string): void {
    if (this.fileNameKey === undefined) {
      // The first image decides the spelling; one file must use one spelling.
      const o = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
      this.fileNameKey = !('file_name' in o) && 'filename' in o ? 'filename' : 'file_name';
      this.imageSchema = cocoImageSchema(this.fileNameKey, this.opts.imageSize === 'optional');
    }
    const r = checkEntry(this.imageSchema!, value, field);
    if (!r.ok) {
      const other = this.fileNameKey === 'file_name' ? 'filename' : 'file_name';
      const mixed = r.field.endsWith(this.fileNameKey) && value !== null && typeof value === 'object' && other in value ? ` (this entry has "${other}"; images[0] uses "${this.fileNameKey}", and one file must use one spelling)` : '';
      return this.sink.fail({ file: this.file, field: r.field }, r.reason + mixed);
    }
    const im = r.value as { id: number; width?: number; height?: number } & Record<string, unknown>;
    if (this.images.has(im.id)) return this.sink.fail({ file: this.file, field: `${field}.id` }, `duplicate image id ${im.id}`);
    this.images.set(im.id, { id: im.id, fileName: im[this.fileNameKey] as string, width: im.width ?? 0, height: im.height ?? 0 });
  }

  private annotation(value: unknown, field: string): void {
    let a: CocoAnnotationEntry;
    if (isPlainCocoAnnotation(value)) a = value; // the common shape, without zod's per-entry cost
    else {
      const r = checkEntry(cocoAnnotationSchema(), value, field);
      if (!r.ok) return this.sink.fail({ file: this.file, field: r.field }, r.reason);
      a = r.value;
    }
    const first = this.annotationIds.get(a.id);
    if (first !== undefined) return this.sink.fail({ file: this.file, field: `${field}.id` }, `duplicate annotation id ${a.id} (also ${field.replace(/\[\d+\]$/, '')}[${first}])`);
    const ann: CocoAnnotation = { id: a.id, imageId: a.image_id, categoryId: a.category_id, bbox: [...a.bbox], area: a.area ?? a.bbox[2] * a.bbox[3], iscrowd: a.iscrowd ?? 0 };
    if (a.ignore !== undefined) ann.ignore = a.ignore;
    if (this.done.has('images') && this.done.has('categories') && !this.resolves(ann, field)) return;
    this.annotationIds.set(a.id, this.annotations.length);
    this.annotations.push({ ann, field });
  }

  /** Whether the annotation's image and category exist (else reported to the sink). */
  private resolves(ann: CocoAnnotation, field: string): boolean {
    if (!this.images.has(ann.imageId)) {
      this.sink.fail({ file: this.file, field: `${field}.image_id` }, `image id ${show(ann.imageId)} does not resolve to any entry of "images"`);
      return false;
    }
    if (!this.categories.has(ann.categoryId)) {
      this.sink.fail({ file: this.file, field: `${field}.category_id` }, `category id ${show(ann.categoryId)} does not resolve to any entry of "categories"`);
      return false;
    }
    return true;
  }

  finish(kinds: Map<string, JsonKind>): CocoDataset {
    const file = this.file;
    const variant = this.variant(kinds);
    for (const key of ['categories', 'images', variant.annotationsKey] as const) {
      const kind = kinds.get(key) ?? 'missing';
      if (kind !== 'array') throw new FormatError({ file, field: key }, kind === 'missing' ? `missing top-level "${key}" array${key === variant.annotationsKey ? ' (a ground truth without objects has "annotations": [])' : ''}` : `expected an array, got ${kind}`);
    }
    this.reportVariant(variant);
    const annotations: CocoAnnotation[] = [];
    // References not checked yet (annotations before images in a streamed file) are checked now.
    for (const { ann, field } of this.annotations) if (this.resolves(ann, field)) annotations.push(ann);
    return {
      file,
      images: [...this.images.values()],
      categories: [...this.categories.values()],
      annotations,
      variant,
      skipped: this.sink.skipped.slice(this.skippedBefore),
      notices: this.sink.notices.slice(this.noticesBefore),
    };
  }

  private variant(kinds: Map<string, JsonKind>): CocoVariant {
    const hasPlural = kinds.has('annotations');
    const hasSingular = kinds.has('annotation');
    if (hasPlural && hasSingular) throw new FormatError({ file: this.file, field: 'annotation' }, 'both "annotations" and "annotation" are present; expected only "annotations"');
    if (!hasPlural && !hasSingular) {
      const keys = [...kinds.keys()].map((k) => JSON.stringify(k)).join(', ');
      throw new FormatError({ file: this.file, field: 'annotations' }, `missing top-level "annotations" array: not a COCO ground-truth file? (top-level keys: ${keys || 'none'})`);
    }
    return {
      annotationsKey: hasPlural ? 'annotations' : 'annotation',
      fileNameKey: this.fileNameKey ?? 'file_name',
      zeroBasedCategoryIds: this.categories.has(0),
    };
  }

  private reportVariant(v: CocoVariant): void {
    const diffs: string[] = [];
    if (v.annotationsKey === 'annotation') diffs.push('top-level key "annotation" instead of "annotations"');
    if (v.fileNameKey === 'filename') diffs.push('images use "filename" instead of "file_name"');
    if (v.zeroBasedCategoryIds) diffs.push('category ids start at 0 (COCO starts at 1)');
    if (diffs.length === 0) return;
    if ((this.opts.variants ?? 'accept') === 'reject') {
      throw new FormatError({ file: this.file }, `COCO-like variant, not COCO instances JSON: ${diffs.join('; ')}`);
    }
    this.sink.notice(`${this.file}: read as a COCO-like variant: ${diffs.join('; ')}`);
  }
}
