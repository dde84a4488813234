/**
 * DOTA-v1 labelTxt and Task1 writers (atomic). labelTxt: the `imagesource:` / `gsd:` header
 * when given, then one `x1 y1 … x4 y4 class difficult` line per object, LF line endings.
 * Numbers are written in the shortest form that reads back exactly (`String(v)`), which is
 * always inside the reader's grammar for finite values.
 */
import { writeFileAtomic } from '../atomic-write.js';
import type { DotaObject } from './dota-txt.js';

export interface DotaWriteObject {
  /** Four corners `[x1, y1, …, x4, y4]` (array or typed array of 8 numbers). */
  poly: ArrayLike<number>;
  className: string;
  /** 0, 1 or 2 (devkit "truncated"). */
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
  if (opts.imageSource !== undefined) {
    if (/[\r\n]/.test(opts.imageSource)) throw new Error('writeDotaTxt: imageSource must be one line');
    lines.push(`imagesource:${opts.imageSource}`);
  }
  if (opts.gsd !== undefined) lines.push(`gsd:${opts.gsd === null ? 'null' : formatNumber(opts.gsd, undefined)}`);
  for (const o of objects) {
    if (o.poly.length !== 8) throw new Error(`writeDotaTxt: polygon of "${o.className}" has ${o.poly.length} values, expected 8`);
    checkClassName(o.className);
    const difficult = o.difficult ?? 0;
    if (difficult !== 0 && difficult !== 1 && difficult !== 2) throw new Error(`writeDotaTxt: difficult must be 0, 1 or 2, got ${difficult}`);
    const coords = Array.from(o.poly, (v) => formatNumber(v, opts.decimals));
    lines.push(`${coords.join(' ')} ${o.className} ${difficult}`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** Writes a DOTA-v1 labelTxt file atomically (temp file + rename). */
export function writeDotaTxt(file: string, objects: readonly (DotaWriteObject | DotaObject)[], opts: DotaWriteOptions = {}): void {
  writeFileAtomic(file, formatDotaTxt(objects, opts));
}

export interface Task1Detection {
  image: string;
  score: number;
  poly: ArrayLike<number>;
}

/** Formats a Task1 results file (`image score x1 … y4` per line). */
export function formatTask1Txt(dets: readonly Task1Detection[], opts: { decimals?: number } = {}): string {
  return dets
    .map((d) => {
      if (d.poly.length !== 8) throw new Error(`writeTask1Txt: polygon of "${d.image}" has ${d.poly.length} values, expected 8`);
      if (d.image === '' || /\s/.test(d.image)) throw new Error(`writeTask1Txt: image name "${d.image}" must be non-empty without spaces`);
      return `${d.image} ${formatNumber(d.score, undefined)} ${Array.from(d.poly, (v) => formatNumber(v, opts.decimals)).join(' ')}\n`;
    })
    .join('');
}

/** Writes a `Task1_<class>.txt` results file atomically. */
export function writeTask1Txt(file: string, dets: readonly Task1Detection[], opts: { decimals?: number } = {}): void {
  writeFileAtomic(file, formatTask1Txt(dets, opts));
}

function checkClassName(name: string): void {
  if (name === '' || /\s/.test(name)) throw new Error(`writeDotaTxt: class name "${name}" must be non-empty without spaces`);
  if (name.includes(':')) throw new Error(`writeDotaTxt: class name "${name}" must not contain ":" (it would read back as a header line)`);
}

function formatNumber(v: number, decimals: number | undefined): string {
  if (!Number.isFinite(v)) throw new Error(`writeDotaTxt: number ${v} is not finite`);
  if (decimals === undefined) return String(v);
  return String(Number(v.toFixed(decimals)));
}
