/**
 * COCO instances JSON writer (atomic). Always writes the standard keys (`annotations`,
 * `file_name`, `bbox` as `[x, y, w, h]`, `area`, `iscrowd`), whatever variant was read.
 */
import type { CocoAnnotation, CocoCategory, CocoImage } from './coco-json.js';
import { writeFileAtomic } from './atomic-write.js';

export interface CocoWriteInput {
  images: readonly CocoImage[];
  categories: readonly CocoCategory[];
  /** `area` defaults to w·h and `iscrowd` to 0 when absent. */
  annotations: readonly (Omit<CocoAnnotation, 'area' | 'iscrowd'> & { area?: number; iscrowd?: 0 | 1 })[];
  info?: Record<string, unknown>;
}

/** The COCO JSON object `writeCocoJson` writes; checks that every id resolves. */
export function toCocoJson(data: CocoWriteInput): Record<string, unknown> {
  const imageIds = new Set(data.images.map((i) => i.id));
  const categoryIds = new Set(data.categories.map((c) => c.id));
  const annotations = data.annotations.map((a, i) => {
    if (!imageIds.has(a.imageId)) throw new Error(`writeCocoJson: annotations[${i}].imageId ${a.imageId} is not in images`);
    if (!categoryIds.has(a.categoryId)) throw new Error(`writeCocoJson: annotations[${i}].categoryId ${a.categoryId} is not in categories`);
    if (!a.bbox.every(Number.isFinite)) throw new Error(`writeCocoJson: annotations[${i}].bbox has a non-finite value`);
    const out: Record<string, unknown> = {
      id: a.id,
      image_id: a.imageId,
      category_id: a.categoryId,
      bbox: [...a.bbox],
      area: a.area ?? a.bbox[2] * a.bbox[3],
      iscrowd: a.iscrowd ?? 0,
    };
    if (a.ignore !== undefined) out.ignore = a.ignore;
    return out;
  });
  return {
    ...(data.info ? { info: data.info } : {}),
    images: data.images.map((i) => ({ id: i.id, file_name: i.fileName, width: i.width, height: i.height })),
    categories: data.categories.map((c) => ({ id: c.id, name: c.name, ...(c.supercategory ? { supercategory: c.supercategory } : {}) })),
    annotations,
  };
}

/** Writes COCO instances JSON atomically (temp file + rename). */
export function writeCocoJson(file: string, data: CocoWriteInput): void {
  writeFileAtomic(file, JSON.stringify(toCocoJson(data)) + '\n');
}
