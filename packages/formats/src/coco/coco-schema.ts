/**
 * zod schemas of COCO instances JSON and COCO results entries. What they enforce, and why:
 * ids are safe integers (an id above 2^53 is silently rounded by every JSON parser, merging two
 * images); `iscrowd` is 0 or 1 (pycocotools treats any truthy value as crowd, so `2` or `"no"`
 * would silently change mAP); `area` ≥ 0 (a negative area puts the box in no COCO area range:
 * mAP silently 1 → 0); `bbox` is `[x, y, w, h]` with finite numbers and w, h ≥ 0.
 * Cross-entry rules (unique ids, unique non-empty category names, references that resolve)
 * are checked by the readers, which know the whole file.
 */
import type { z as Zod } from 'zod';
import { FormatError, show } from '../errors.js';
import { lazyModule } from '../lazy-module.js';

// zod is loaded, and the schemas built, on first use: a run that never meets an entry outside
// the readers' fast paths does not pay for it (tens of milliseconds of start-up per command).
const zod = lazyModule<{ z: typeof Zod }>('zod');

function buildSchemas(z: typeof Zod) {
  const id = z.number({ error: 'expected an integer id' }).int({ error: 'expected a safe integer id (|id| < 2^53; larger ids are rounded by JSON parsers)' });
  const flag01 = (what: string) => z.union([z.literal(0), z.literal(1)], { error: `${what} must be 0 or 1` });
  const bbox = z.tuple(
    [
      z.number({ error: 'x must be a finite number' }),
      z.number({ error: 'y must be a finite number' }),
      z.number({ error: 'width must be a finite number' }).nonnegative({ error: 'width must be ≥ 0 (bbox is [x, y, w, h])' }),
      z.number({ error: 'height must be a finite number' }).nonnegative({ error: 'height must be ≥ 0 (bbox is [x, y, w, h])' }),
    ],
    { error: 'expected [x, y, w, h] (4 finite numbers)' },
  );
  const category = z.object({
    id,
    name: z.string({ error: 'expected a category name (string)' }).min(1, { error: 'category name must not be empty' }),
    supercategory: z.unknown().optional(),
  });
  const size = (what: string) => z.number({ error: `expected a positive integer ${what}` }).int({ error: `${what} must be an integer` }).positive({ error: `${what} must be > 0` });
  const image = (nameKey: 'file_name' | 'filename', sizeOptional: boolean) =>
    z.object({
      id,
      [nameKey]: z.string({ error: `expected "${nameKey}" (string)` }).min(1, { error: `"${nameKey}" must not be empty` }),
      width: sizeOptional ? size('width').optional() : size('width'),
      height: sizeOptional ? size('height').optional() : size('height'),
    });
  const annotation = z.object({
    id,
    image_id: id,
    category_id: id,
    bbox,
    area: z.number({ error: 'area must be a finite number' }).nonnegative({ error: 'area must be ≥ 0 (a negative area falls in no COCO area range)' }).optional(),
    iscrowd: flag01('iscrowd').optional(),
    ignore: flag01('ignore').optional(),
  });
  const result = z.object({ image_id: id, category_id: id, bbox, score: z.number({ error: 'score must be a finite number' }) });
  return { id, bbox, category, image, annotation, result };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;
const built = (): Schemas => (schemas ??= buildSchemas(zod().z));

/** An id: a safe integer. */
export const cocoIdSchema = (): Schemas['id'] => built().id;
/** `bbox`: `[x, y, w, h]`, finite, w and h ≥ 0. */
export const cocoBboxSchema = (): Schemas['bbox'] => built().bbox;
/** A `categories[]` entry. */
export const cocoCategorySchema = (): Schemas['category'] => built().category;
/** An `annotations[]` entry. */
export const cocoAnnotationSchema = (): Schemas['annotation'] => built().annotation;
/** A results entry. */
export const cocoResultSchema = (): Schemas['result'] => built().result;

/**
 * `images[]` entry; `nameKey` is `file_name` (COCO) or `filename` (HIT-UAV's variant).
 * `width`/`height` may be left out only when `sizeOptional` (an evaluator does not need them;
 * a data loader does); when present they are always checked.
 */
export function cocoImageSchema(nameKey: 'file_name' | 'filename', sizeOptional = false): ReturnType<Schemas['image']> {
  return built().image(nameKey, sizeOptional);
}

export type CocoResultEntry = Zod.infer<Schemas['result']>;

/** `annotations[17].bbox[2]` from a base path and a zod issue path. */
export function jsonPath(base: string, path: readonly PropertyKey[]): string {
  let s = base;
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s;
}

/**
 * Validates `value` against `schema`; on failure returns the first problem as
 * `{ field: 'annotations[17].area', reason }`, with the offending value shown.
 */
export function checkEntry<T>(schema: Zod.ZodType<T>, value: unknown, base: string): { ok: true; value: T } | { ok: false; field: string; reason: string } {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const got = valueAt(value, issue.path);
  const field = jsonPath(base, issue.path);
  const reason = got === undefined && issue.path.length > 0 ? `missing (${issue.message})` : `${issue.message}, got ${show(got)}`;
  return { ok: false, field, reason };
}

/** Like `checkEntry` but throws a FormatError naming file and JSON path. */
export function parseEntry<T>(schema: Zod.ZodType<T>, value: unknown, file: string, base: string): T {
  const r = checkEntry(schema, value, base);
  if (!r.ok) throw new FormatError({ file, field: r.field }, r.reason);
  return r.value;
}

function valueAt(v: unknown, path: readonly PropertyKey[]): unknown {
  let cur = v;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

const isId = (v: unknown): v is number => Number.isSafeInteger(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isFlag = (v: unknown): boolean => v === undefined || v === 0 || v === 1;

/**
 * True when `value` certainly passes `cocoAnnotationSchema` (the common case, checked without
 * zod's per-entry cost on files of millions of annotations); false means "ask zod", which then
 * accepts or names the problem. Never true where zod would refuse (a test checks it).
 */
export function isPlainCocoAnnotation(value: unknown): value is CocoAnnotationEntry {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const a = value as Record<string, unknown>;
  const b = a.bbox;
  if (!isId(a.id) || !isId(a.image_id) || !isId(a.category_id) || !Array.isArray(b) || b.length !== 4) return false;
  if (!isFiniteNumber(b[0]) || !isFiniteNumber(b[1]) || !isFiniteNumber(b[2]) || !isFiniteNumber(b[3]) || b[2] < 0 || b[3] < 0) return false;
  if (a.area !== undefined && !(isFiniteNumber(a.area) && a.area >= 0)) return false;
  return isFlag(a.iscrowd) && isFlag(a.ignore);
}

export type CocoAnnotationEntry = Zod.infer<Schemas['annotation']>;
