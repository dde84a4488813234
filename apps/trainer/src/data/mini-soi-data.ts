/**
 * The built-in synthetic mini-SOI set (@babelrs/datasets), generated once under its root and
 * reused by later runs with the same options. `generateMiniSoi` writes a manifest
 * (`mini-soi.json`, the resolved options and counts) into the set, atomically with the data; a
 * run whose options differ regenerates it, and a folder without that manifest is refused (it is
 * not ours to overwrite).
 */
import fs from 'node:fs';
import path from 'node:path';
import { generateMiniSoi, resolveMiniSoiOptions, type MiniSoiOptions } from '@babelrs/datasets';
import { InputError } from '../errors.js';
import { prepareOutDir } from '../run/out-dir.js';

export const MINI_SOI_MANIFEST = 'mini-soi.json';

export interface MiniSoiDataResult {
  root: string;
  /** 'generated' (fresh), 'regenerated' (options changed) or 'reused'. */
  status: 'generated' | 'regenerated' | 'reused';
  options: Required<MiniSoiOptions>;
  seconds: number;
}

/** Makes sure `root` holds a mini-SOI set generated with `opts`. */
export async function ensureMiniSoi(root: string, opts: MiniSoiOptions, where = 'data.root'): Promise<MiniSoiDataResult> {
  const t0 = performance.now();
  const options = resolveMiniSoiOptions(opts);
  const target = path.resolve(root);
  const manifestFile = path.join(target, MINI_SOI_MANIFEST);
  let status: MiniSoiDataResult['status'] = 'generated';
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0) {
    if (!fs.existsSync(manifestFile)) {
      throw new InputError(`${where} ${target}: the folder exists but has no ${MINI_SOI_MANIFEST}; it is not a mini-SOI set made by babelrs, so it will not be overwritten`);
    }
    const stored = readManifestOptions(manifestFile);
    if (sameJson(pickDataOptions(stored), pickDataOptions(options))) return { root: target, status: 'reused', options, seconds: (performance.now() - t0) / 1000 };
    status = 'regenerated';
  }
  // The parent is checked and made here (a clear error for an unwritable place); generateMiniSoi
  // builds the set in a temp folder and swaps it into place, so a failure leaves no half set.
  const prepared = prepareOutDir(path.dirname(target), where);
  try {
    await generateMiniSoi(target, { ...options, overwrite: fs.existsSync(target) });
  } catch (err) {
    prepared.undo();
    throw new InputError(`${where} ${target}: cannot generate the mini-SOI set: ${(err as Error).message}`);
  }
  return { root: target, status, options, seconds: (performance.now() - t0) / 1000 };
}

/** The options that shape the data (the manifest may also record call options such as `overwrite`). */
const DATA_OPTION_KEYS = ['seed', 'imageSize', 'images', 'splits', 'objects', 'difficulty', 'objectScale'] as const;

function pickDataOptions(o: object): Record<string, unknown> {
  return Object.fromEntries(DATA_OPTION_KEYS.map((k) => [k, (o as Record<string, unknown>)[k]]));
}

function readManifestOptions(file: string): object {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const options = (parsed as { options?: unknown } | null)?.options;
  if (options === undefined || options === null || typeof options !== 'object') throw new InputError(`${file}: field "options" is missing or not an object`);
  return options as object;
}

/** Structural equality of JSON-able values with object keys in any order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
