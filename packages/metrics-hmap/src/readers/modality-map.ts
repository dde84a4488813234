import { createRequire } from 'node:module';
import { FormatError, jsonPath } from '@babelrs/formats';
import type { z as Zod } from 'zod';
import { MetricsInputError } from '../errors.js';
import type { EvalImage } from '../types.js';
import { readJsonFile } from './read-text.js';

/**
 * `{ image name: modality }`: an object of non-empty strings. Built (and zod loaded) on first
 * use: most runs have no modality map, and zod costs tens of milliseconds of start-up.
 */
export function modalityMapSchema() {
  const { z } = createRequire(import.meta.url)('zod') as { z: typeof Zod };
  return z.record(z.string(), z.string({ error: 'modality must be a non-empty string' }).min(1, { error: 'modality must be a non-empty string' }), {
    error: 'expected an object {image name: modality}',
  });
}

/** Reads a `{ image name: modality }` JSON map (COCO: `file_name`; DOTA: the label file's base name). */
export function readModalityMap(file: string): Record<string, string> {
  const obj = readJsonFile(file);
  const r = modalityMapSchema().safeParse(obj);
  if (!r.success) {
    const issue = r.error.issues[0];
    const key = issue.path.length ? JSON.stringify(String(issue.path[0])) : undefined;
    throw new FormatError({ file, field: key === undefined ? undefined : jsonPath('', [key]) }, issue.message);
  }
  // Copied from the parsed JSON (own keys) into a null-prototype object: an image named
  // `__proto__` is a key like any other.
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(obj as Record<string, string>)) out[k] = v;
  return out;
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
