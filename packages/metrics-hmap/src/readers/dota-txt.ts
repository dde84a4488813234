/**
 * DOTA readers: a `labelTxt/` folder (one `<image>.txt` per image, lines
 * `x1 y1 x2 y2 x3 y3 x4 y4 class [difficult]`, optional `imagesource:` / `gsd:` header lines)
 * and a folder of Task1 results (`Task1_<class>.txt`, lines `image score x1 y1 … x4 y4`).
 *
 * Images are the label files, sorted by name (an empty file is an image without GT). The class
 * list is `classes` if given, else the union of GT class names and Task1 file names (an empty
 * Task1 file still declares its class), sorted by name. Detections keep file line order: the
 * devkit's tie-break.
 */
import path from 'node:path';
import { MetricsInputError } from '../errors.js';
import type { EvalDataset } from '../types.js';
import { checkClassList } from './class-list.js';
import { listDir, readTextFile } from './read-text.js';

export interface DotaReadOptions {
  classes?: string[];
}

interface PolyRow {
  image: number;
  className: string;
  where: string;
  poly: number[];
  difficult?: number;
  score?: number;
}

function parseNumber(tok: string, where: string, what: string): number {
  const v = Number(tok);
  if (tok === '' || !Number.isFinite(v)) throw new MetricsInputError(where, `${what} "${tok}" is not a finite number`);
  return v;
}

/** `key:value` metadata lines of original DOTA label files. */
const HEADER_LINE = /^[A-Za-z_]+:\S*$/;

function readLabelFile(file: string, image: number, rows: PolyRow[]): void {
  const lines = readTextFile(file).split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || HEADER_LINE.test(line)) return;
    const where = `${file}:${i + 1}`;
    const f = line.split(/\s+/);
    if (f.length !== 9 && f.length !== 10) {
      throw new MetricsInputError(where, `expected 10 fields (8 coordinates, class, difficult), got ${f.length}`);
    }
    const poly = f.slice(0, 8).map((t, k) => parseNumber(t, where, `coordinate ${k + 1}`));
    const difficult = f.length === 10 ? parseNumber(f[9], where, 'difficult') : 0;
    if (difficult !== 0 && difficult !== 1) throw new MetricsInputError(where, `difficult must be 0 or 1, got ${f[9]}`);
    rows.push({ image, className: f[8], where, poly, difficult });
  });
}

const TASK1 = /^Task1_(.+)\.txt$/;

function readTask1File(file: string, className: string, imageIndex: Map<string, number>, rows: PolyRow[]): void {
  const lines = readTextFile(file).split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `${file}:${i + 1}`;
    const f = line.split(/\s+/);
    if (f.length !== 10) throw new MetricsInputError(where, `expected 10 fields (image, score, 8 coordinates), got ${f.length}`);
    const image = imageIndex.get(f[0]);
    if (image === undefined) throw new MetricsInputError(where, `unknown image "${f[0]}" (no label file for it)`);
    const score = parseNumber(f[1], where, 'score');
    const poly = f.slice(2).map((t, k) => parseNumber(t, where, `coordinate ${k + 1}`));
    rows.push({ image, className, where, poly, score });
  });
}

/** Reads `labelTxt/` + Task1 folder into a polygon dataset (images without modality). */
export function readDotaDataset(labelDir: string, task1Dir: string, opts: DotaReadOptions = {}): EvalDataset {
  const labelFiles = listDir(labelDir).filter((f) => f.endsWith('.txt'));
  const images = labelFiles.map((f) => ({ name: f.slice(0, -4) }));
  const imageIndex = new Map(images.map((im, i) => [im.name, i]));
  const gtRows: PolyRow[] = [];
  labelFiles.forEach((f, i) => readLabelFile(path.join(labelDir, f), i, gtRows));

  const task1Files = listDir(task1Dir).filter((f) => TASK1.test(f));
  if (task1Files.length === 0) throw new MetricsInputError(task1Dir, 'no Task1_<class>.txt files');
  const detClasses = task1Files.map((f) => TASK1.exec(f)![1]);
  if (opts.classes) checkClassList(opts.classes, 'classes');
  const classes = opts.classes ? [...opts.classes] : [...new Set([...gtRows.map((r) => r.className), ...detClasses])].sort();
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  for (let k = 0; k < task1Files.length; k++) {
    if (!classIndex.has(detClasses[k])) throw new MetricsInputError(path.join(task1Dir, task1Files[k]), `unknown class "${detClasses[k]}" (not in the class list)`);
  }
  const detRows: PolyRow[] = [];
  task1Files.forEach((f, k) => readTask1File(path.join(task1Dir, f), detClasses[k], imageIndex, detRows));

  const labelOf = (r: PolyRow): number => {
    const k = classIndex.get(r.className);
    if (k === undefined) throw new MetricsInputError(r.where, `unknown class "${r.className}" (not in the class list)`);
    return k;
  };
  const gts = {
    boxes: Float64Array.from(gtRows.flatMap((r) => r.poly)),
    labels: Int32Array.from(gtRows, labelOf),
    imageIndex: Int32Array.from(gtRows, (r) => r.image),
    difficult: Uint8Array.from(gtRows, (r) => r.difficult ?? 0),
  };
  const dets = {
    boxes: Float64Array.from(detRows.flatMap((r) => r.poly)),
    labels: Int32Array.from(detRows, labelOf),
    imageIndex: Int32Array.from(detRows, (r) => r.image),
    scores: Float64Array.from(detRows, (r) => r.score ?? 0),
  };
  return { geometry: 'poly', classes, images, gts, dets };
}
