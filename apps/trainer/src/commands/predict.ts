/**
 * `babelrs predict <images…>`: detections for image files with a trained detector. Writes, per
 * input, a PNG with the boxes drawn, and the standard result files: COCO results JSON for SAR
 * (horizontal boxes), DOTA Task1 files for RGB / IR (oriented boxes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { obbToPoly } from '@babelrs/boxes';
import type { Modality } from '@babelrs/datasets';
import { loadConfig } from '../config/load-config.js';
import { InputError, UsageError } from '../errors.js';
import { createDetector, loadDetectorWeights, predictImages, type PredictedImage } from '../pipeline/stage-adapter.js';
import { drawDetectionsPng } from '../report/draw-detections.js';
import { writeAtomic, writeJsonAtomic } from '../run/atomic-text.js';
import { prepareOutDir } from '../run/out-dir.js';
import { RunDir } from '../run/run-dir.js';
import { configFromFlags, startBackend, type ConfigFlags, type Io } from './common.js';

export interface PredictFlags extends ConfigFlags {
  run?: string;
  weights?: string;
  modality?: string;
  out?: string;
}

const MODS = ['sar', 'rgb', 'ir'] as const;

export async function predictCommand(images: string[], flags: PredictFlags, io: Io): Promise<number> {
  if (flags.run === undefined && flags.weights === undefined) throw new UsageError('predict: give --run <run folder> or --weights <model.safetensors>');
  if (flags.modality !== undefined && !MODS.includes(flags.modality as Modality)) throw new UsageError(`--modality: expected one of sar, rgb, ir, got ${JSON.stringify(flags.modality)}`);
  const inputs = images.map((img) => {
    const m = (flags.modality as Modality | undefined) ?? modalityFromPath(img);
    if (m === undefined) throw new UsageError(`${img}: cannot tell the modality from the path (no sar/rgb/ir folder in it); give --modality sar|rgb|ir`);
    if (!fs.existsSync(img)) throw new InputError(`${img}: no such image file`);
    return { path: path.resolve(img), modality: m };
  });
  const config = flags.run !== undefined ? loadConfig({ file: RunDir.open(path.resolve(flags.run), '--run').configFile, sets: flags.set ?? [] }) : configFromFlags(flags);
  const weights = path.resolve(flags.weights ?? path.join(flags.run!, 'finetune', 'model.safetensors'));
  if (!fs.existsSync(weights)) throw new InputError(`${weights}: no such file`);
  await startBackend(config.backend);
  const detector = createDetector(config);
  let preds: PredictedImage[];
  try {
    loadDetectorWeights(detector, weights);
    preds = await predictImages(detector, inputs, config);
  } finally {
    detector.dispose();
  }
  const out = prepareOutDir(flags.out ?? 'predictions');
  try {
    for (const p of preds) writeAtomic(path.join(out.dir, `${stem(p.path)}.png`), await drawDetectionsPng(p.path, p));
    writeResultFiles(out.dir, preds);
  } catch (err) {
    out.undo();
    throw err;
  }
  for (const p of preds) io.out(`${p.path}: ${p.names.length} detection(s)${p.names.length ? ` (${[...new Set(p.names)].join(', ')})` : ''}`);
  io.out(`written to ${out.dir}`);
  return 0;
}

function modalityFromPath(p: string): Modality | undefined {
  const parts = path.resolve(p).toLowerCase().split(path.sep);
  return [...parts].reverse().find((x): x is Modality => MODS.includes(x as Modality));
}

function stem(p: string): string {
  return path.basename(p).replace(/\.[^.]+$/, '');
}

/** SAR → `sar_results.json` (COCO results, image_id = 1-based input index); RGB / IR → `Task1/Task1_<class>.txt`. */
function writeResultFiles(dir: string, preds: readonly PredictedImage[]): void {
  const coco: unknown[] = [];
  const images: unknown[] = [];
  const task1 = new Map<string, string[]>();
  preds.forEach((p, i) => {
    const n = p.names.length;
    if (p.boxType === 'hbb') {
      images.push({ id: i + 1, file_name: path.basename(p.path), width: p.width, height: p.height });
      for (let k = 0; k < n; k++) {
        const [x1, y1, x2, y2] = p.boxes.subarray(k * 4, k * 4 + 4);
        coco.push({ image_id: i + 1, category_name: p.names[k], bbox: [x1, y1, x2 - x1, y2 - y1].map(round), score: round(p.scores[k]) });
      }
    } else {
      const poly = obbToPoly(p.boxes);
      for (let k = 0; k < n; k++) {
        const line = `${stem(p.path)} ${round(p.scores[k])} ${Array.from(poly.subarray(k * 8, k * 8 + 8), round).join(' ')}`;
        (task1.get(p.names[k]) ?? task1.set(p.names[k], []).get(p.names[k])!).push(line);
      }
    }
  });
  if (images.length) writeJsonAtomic(path.join(dir, 'sar_results.json'), { images, results: coco });
  if (task1.size) fs.mkdirSync(path.join(dir, 'Task1'), { recursive: true });
  for (const [cls, lines] of task1) writeAtomic(path.join(dir, 'Task1', `Task1_${cls}.txt`), `${lines.join('\n')}\n`);
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
