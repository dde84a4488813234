/**
 * `babelrs data synth | tile | stats`: make the built-in synthetic set, tile a DOTA folder the
 * way SOI-Det does (800 px, gap 200), count images / objects / classes of an SOI-Det layout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SOI_DET_CLASSES, SOI_DET_SPLIT, splitDotaDataset } from '@babelrs/datasets';
import { ensureMiniSoi } from '../data/mini-soi-data.js';
import { countSamples, loadSamples } from '../data/run-data.js';
import { InputError, UsageError } from '../errors.js';
import { prepareOutDir } from '../run/out-dir.js';
import { parseNonNegativeInt, parsePositiveInt, type Io } from './common.js';

export interface SynthFlags {
  images?: string;
  imageSize?: string;
  seed?: string;
  difficulty?: string;
}

export async function dataSynthCommand(out: string, f: SynthFlags, io: Io): Promise<number> {
  const images = parsePositiveInt(f.images, '--images', 200);
  const imageSize = parsePositiveInt(f.imageSize, '--image-size', 128);
  const seed = parseNonNegativeInt(f.seed, '--seed', 0);
  const difficulty = f.difficulty === undefined ? 0.2 : Number(f.difficulty);
  if (!(difficulty >= 0 && difficulty <= 1)) throw new UsageError(`--difficulty: expected a number in [0, 1], got ${JSON.stringify(f.difficulty)}`);
  const r = await ensureMiniSoi(out, { seed, imageSize, images: { sar: images, rgb: images, ir: images }, difficulty, objects: [2, 5] }, '--out');
  io.out(`mini-SOI ${r.status}: ${r.root} (${3 * images} images, ${imageSize} px, ${r.seconds.toFixed(1)} s)`);
  return 0;
}

export interface TileFlags {
  size?: string;
  gap?: string;
}

export async function dataTileCommand(src: string, out: string, f: TileFlags, io: Io): Promise<number> {
  const size = parsePositiveInt(f.size, '--size', SOI_DET_SPLIT.size);
  const gap = parseNonNegativeInt(f.gap, '--gap', SOI_DET_SPLIT.gap);
  if (gap >= size) throw new UsageError(`--gap ${gap}: must be smaller than --size ${size}`);
  if (!fs.existsSync(path.join(src, 'images'))) throw new InputError(`${src}: expected a DOTA folder with images/ and labelTxt/ (no ${path.join(src, 'images')})`);
  const prepared = prepareOutDir(out);
  try {
    const r = await splitDotaDataset(src, prepared.dir, { ...SOI_DET_SPLIT, size, gap });
    io.out(`tiled ${r.images.length} images into ${r.tiles} tiles of ${size} px (gap ${gap}) in ${prepared.dir}`);
    io.out(`objects: ${r.counts.kept} kept, ${r.counts.markedDifficult} marked difficult (cut by a tile edge), ${r.counts.droppedBelowThreshold} dropped below the overlap threshold`);
    if (r.imagesWithoutLabels.length) io.out(`images without a label file: ${r.imagesWithoutLabels.length}`);
  } catch (err) {
    prepared.undo();
    throw new InputError((err as Error).message);
  }
  return 0;
}

export async function dataStatsCommand(root: string, f: { json?: boolean }, io: Io): Promise<number> {
  const samples = await loadSamples(path.resolve(root));
  if (samples.length === 0) throw new InputError(`${root}: no samples found (expected the SOI-Det layout: sar/, rgb/, ir/)`);
  const counts = countSamples(samples);
  const classes: Record<string, number> = {};
  for (const s of samples) for (const l of s.labels) classes[`${s.modality}/${SOI_DET_CLASSES[l].name}`] = (classes[`${s.modality}/${SOI_DET_CLASSES[l].name}`] ?? 0) + 1;
  if (f.json) {
    io.out(JSON.stringify({ root: path.resolve(root), splits: counts, classes }, null, 2));
    return 0;
  }
  io.out(`${path.resolve(root)}`);
  io.out('  split             images  objects');
  for (const [k, v] of Object.entries(counts).sort()) io.out(`  ${k.padEnd(16)} ${String(v.images).padStart(7)} ${String(v.objects).padStart(8)}`);
  io.out('  objects per class:');
  for (const [k, v] of Object.entries(classes).sort()) io.out(`    ${k.padEnd(24)} ${v}`);
  return 0;
}
