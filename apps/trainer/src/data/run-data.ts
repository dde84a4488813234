/**
 * The data of a run: the configured dataset (mini-SOI generated if absent, or a real SOI-Det
 * layout) read through `loadSoiDet`, strictly — a malformed annotation or an unknown class
 * stops the command with the file and line before any training starts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatasetError, MODALITIES, loadSoiDet, sampleBoxCount, type DetectionSample, type Modality } from '@babelrs/datasets';
import type { RunConfig } from '../config/schema.js';
import { InputError } from '../errors.js';
import { ensureMiniSoi, type MiniSoiDataResult } from './mini-soi-data.js';

export interface RunData {
  root: string;
  generated?: MiniSoiDataResult;
  train: DetectionSample[];
  eval: DetectionSample[];
  /** Images and objects per `<modality>/<split>`. */
  counts: Record<string, { images: number; objects: number }>;
}

export async function prepareRunData(config: RunConfig, opts: { generate?: boolean } = {}): Promise<RunData> {
  const d = config.data;
  const root = path.resolve(d.root);
  let generated: MiniSoiDataResult | undefined;
  if (d.kind === 'mini-soi' && (opts.generate ?? true)) {
    const s = d.synthetic!;
    generated = await ensureMiniSoi(root, { seed: config.seed, imageSize: s.imageSize, images: s.images, objects: s.objects, difficulty: s.difficulty, ...(s.objectScale !== undefined ? { objectScale: s.objectScale } : {}) });
  } else if (!fs.existsSync(root)) {
    throw new InputError(`data.root: dataset folder not found: ${root}`);
  }
  const samples = await loadSamples(root, [d.trainSplit, d.evalSplit]);
  const train = samples.filter((s) => splitOf(s) === d.trainSplit);
  const evalSamples = samples.filter((s) => splitOf(s) === d.evalSplit);
  for (const [split, list] of [[d.trainSplit, train], [d.evalSplit, evalSamples]] as const) {
    if (list.length === 0) throw new InputError(`data.root ${root}: no images in split "${split}" (expected <modality>/…/${split} in the SOI-Det layout)`);
  }
  return { root, generated, train, eval: evalSamples, counts: countSamples(samples) };
}

/** Reads a SOI-Det layout strictly; reader errors keep their file/line, others name the root. */
export async function loadSamples(root: string, splits?: readonly string[]): Promise<DetectionSample[]> {
  if (!fs.existsSync(root)) throw new InputError(`data.root: dataset folder not found: ${root}`);
  try {
    const r = await loadSoiDet(root, splits ? { splits: [...new Set(splits)] } : {});
    return r.samples;
  } catch (err) {
    if (err instanceof DatasetError) throw new InputError(err.message);
    throw new InputError(`${root}: ${(err as Error).message.replace(/^loadSoiDet: /, '')}`);
  }
}

/** The split of a sample: loadSoiDet's ids are `<modality>/<split>/<stem>`. */
export function splitOf(s: DetectionSample): string {
  return s.id.split('/')[1] ?? '';
}

export function countSamples(samples: readonly DetectionSample[]): Record<string, { images: number; objects: number }> {
  const out: Record<string, { images: number; objects: number }> = {};
  for (const s of samples) {
    const k = `${s.modality}/${splitOf(s)}`;
    out[k] ??= { images: 0, objects: 0 };
    out[k].images++;
    out[k].objects += sampleBoxCount(s);
  }
  return out;
}

export function byModality<T extends { modality: Modality }>(xs: readonly T[]): Record<Modality, T[]> {
  const out = Object.fromEntries(MODALITIES.map((m) => [m, [] as T[]])) as Record<Modality, T[]>;
  for (const x of xs) out[x.modality].push(x);
  return out;
}
