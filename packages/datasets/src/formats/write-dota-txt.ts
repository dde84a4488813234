/**
 * DOTA-v1 labelTxt writer (atomic). Writes the `imagesource:` / `gsd:` header when given,
 * then one `x1 y1 … x4 y4 class difficult` line per object, LF line endings.
 */
import type { DotaObject } from './dota-txt.js';
import { writeFileAtomic } from './atomic-write.js';

export interface DotaWriteObject {
  /** Four corners `[x1, y1, …, x4, y4]` (array or typed array of 8 numbers). */
  poly: ArrayLike<number>;
  className: string;
  difficult?: number;
}

export interface DotaWriteOptions {
  imageSource?: string;
  gsd?: number | null;
  /** Decimal places for coordinates; default: shortest exact representation. */
  decimals?: number;
}

/** Formats labelTxt text (what `writeDotaTxt` writes). */
export function formatDotaTxt(objects: readonly (DotaWriteObject | DotaObject)[], opts: DotaWriteOptions = {}): string {
  const lines: string[] = [];
  if (opts.imageSource !== undefined) lines.push(`imagesource:${opts.imageSource}`);
  if (opts.gsd !== undefined) lines.push(`gsd:${opts.gsd === null ? 'null' : opts.gsd}`);
  for (const o of objects) {
    if (o.poly.length !== 8) throw new Error(`writeDotaTxt: polygon of "${o.className}" has ${o.poly.length} values, expected 8`);
    if (/\s/.test(o.className) || o.className === '') throw new Error(`writeDotaTxt: class name "${o.className}" must be non-empty without spaces`);
    const coords = Array.from(o.poly, (v) => formatNumber(v, opts.decimals));
    lines.push(`${coords.join(' ')} ${o.className} ${o.difficult ?? 0}`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** Writes a DOTA-v1 labelTxt file atomically (temp file + rename). */
export function writeDotaTxt(file: string, objects: readonly (DotaWriteObject | DotaObject)[], opts: DotaWriteOptions = {}): void {
  writeFileAtomic(file, formatDotaTxt(objects, opts));
}

function formatNumber(v: number, decimals: number | undefined): string {
  if (!Number.isFinite(v)) throw new Error(`writeDotaTxt: coordinate ${v} is not finite`);
  if (decimals === undefined) return String(v);
  return String(Number(v.toFixed(decimals)));
}
