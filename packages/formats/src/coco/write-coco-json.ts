/**
 * COCO instances JSON and results writers (atomic). Always writes the standard keys
 * (`annotations`, `file_name`, `bbox` as `[x, y, w, h]`, `area`, `iscrowd`), whatever variant was
 * read, and validates what it writes with the same schemas the reader uses, so a file we write
 * is a file we read.
 */
import { writeFileAtomic } from '../atomic-write.js';
import type { CocoAnnotation, CocoCategory, CocoImage } from './coco-json.js';
import type { CocoResult } from './coco-results.js';
import { cocoAnnotationSchema, cocoCategorySchema, cocoImageSchema, cocoResultSchema, checkEntry } from './coco-schema.js';

export interface CocoWriteInput {
  images: readonly CocoImage[];
  categories: readonly CocoCategory[];
  /** `area` defaults to w·h and `iscrowd` to 0 when absent. */
  annotations: readonly (Omit<CocoAnnotation, 'area' | 'iscrowd'> & { area?: number; iscrowd?: 0 | 1 })[];
  info?: Record<string, unknown>;
}

/** The COCO JSON object `writeCocoJson` writes; checks every entry and that every id resolves. */
export function toCocoJson(data: CocoWriteInput): Record<string, unknown> {
  const images = data.images.map((i, k) => check(cocoImageSchema('file_name'), { id: i.id, file_name: i.fileName, width: i.width, height: i.height }, `images[${k}]`));
  const categories = data.categories.map((c, k) => check(cocoCategorySchema(), { id: c.id, name: c.name, ...(c.supercategory ? { supercategory: c.supercategory } : {}) }, `categories[${k}]`));
  const imageIds = new Set(data.images.map((i) => i.id));
  const categoryIds = new Set(data.categories.map((c) => c.id));
  const annotations = data.annotations.map((a, i) => {
    if (!imageIds.has(a.imageId)) throw new Error(`writeCocoJson: annotations[${i}].imageId ${a.imageId} is not in images`);
    if (!categoryIds.has(a.categoryId)) throw new Error(`writeCocoJson: annotations[${i}].categoryId ${a.categoryId} is not in categories`);
    const out: Record<string, unknown> = {
      id: a.id,
      image_id: a.imageId,
      category_id: a.categoryId,
      bbox: [...a.bbox],
      area: a.area ?? a.bbox[2] * a.bbox[3],
      iscrowd: a.iscrowd ?? 0,
    };
    if (a.ignore !== undefined) out.ignore = a.ignore;
    return check(cocoAnnotationSchema(), out, `annotations[${i}]`);
  });
  return { ...(data.info ? { info: data.info } : {}), images, categories, annotations };
}

/** Writes COCO instances JSON atomically (temp file + rename). */
export function writeCocoJson(file: string, data: CocoWriteInput): void {
  writeFileAtomic(file, JSON.stringify(toCocoJson(data)) + '\n');
}

/** Writes a COCO results list atomically, one entry per line (readable and diffable). */
export function writeCocoResults(file: string, results: readonly CocoResult[]): void {
  const lines = results.map((r, i) => JSON.stringify(check(cocoResultSchema(), { image_id: r.imageId, category_id: r.categoryId, bbox: [...r.bbox], score: r.score }, `[${i}]`)));
  writeFileAtomic(file, lines.length ? `[\n${lines.join(',\n')}\n]\n` : '[]\n');
}

function check<T>(schema: Parameters<typeof checkEntry<T>>[0], value: T, field: string): T {
  const r = checkEntry(schema, value, field);
  if (!r.ok) throw new Error(`writeCocoJson: ${r.field}: ${r.reason}`);
  return value;
}
