import { MetricsInputError } from '../errors.js';
import type { EvalImage } from '../types.js';
import { readJsonFile } from './read-text.js';

/** Reads a `{ image name: modality }` JSON map (COCO: `file_name`; DOTA: the label file's base name). */
export function readModalityMap(file: string): Record<string, string> {
  const obj = readJsonFile(file);
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new MetricsInputError(file, 'expected an object {image name: modality}');
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v !== 'string' || v === '') throw new MetricsInputError(`${file}: "${k}"`, 'modality must be a non-empty string');
  }
  return obj as Record<string, string>;
}

/**
 * Sets each image's modality from the map; an image missing from the map is an error (a silent
 * hole would drop it from every per-modality number). A name also matches without extension.
 */
export function applyModalityMap(images: EvalImage[], map: Record<string, string>, source: string): void {
  const stem = (name: string): string => name.replace(/\.[^./]+$/, '');
  const byStem = new Map<string, string>();
  for (const [k, v] of Object.entries(map)) if (!byStem.has(stem(k))) byStem.set(stem(k), v);
  for (const im of images) {
    const m = map[im.name] ?? byStem.get(stem(im.name));
    if (m === undefined) throw new MetricsInputError(source, `image "${im.name}" has no modality`);
    im.modality = m;
  }
}
