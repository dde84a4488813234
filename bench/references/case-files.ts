/**
 * The large evaluation case of the side-by-side bench, written as the standard files each
 * reference reads: COCO instances + results JSON (HBB: pycocotools, mmdet eval_map,
 * `babelrs-hmap --protocol coco|voc`) and DOTA labelTxt/ + Task1_<class>.txt (OBB: the DOTA
 * devkit, `babelrs-hmap --protocol dota`). `numImages` images of 800×800, 15 DOTA classes,
 * `gtsPerImage` GTs and `detsPerImage` detections per image (half jittered copies of GTs, so
 * IoUs spread over 0–1, half random). Same seed → byte-identical files. Detections are written
 * in image order everywhere, so a stable score sort sees the same tie order in every tool.
 */
import fs from 'node:fs';
import path from 'node:path';
import { mulberry32 } from '../lib.js';

export const DOTA_CLASSES = [
  'plane', 'baseball-diamond', 'bridge', 'ground-track-field', 'small-vehicle', 'large-vehicle', 'ship',
  'tennis-court', 'basketball-court', 'storage-tank', 'soccer-ball-field', 'roundabout', 'harbor',
  'swimming-pool', 'helicopter',
] as const;

export interface CaseOptions {
  numImages: number;
  gtsPerImage: number;
  detsPerImage: number;
  seed: number;
}

export interface CaseFiles {
  dir: string;
  cocoGt: string;
  cocoDets: string;
  dotaLabels: string;
  dotaDets: string;
  imageset: string;
  bytes: number;
}


/** Buffered writer: one write syscall per ~1 MiB. */
class Sink {
  private parts: string[] = [];
  private size = 0;
  bytes = 0;
  private readonly fd: number;
  constructor(file: string) {
    this.fd = fs.openSync(file, 'w');
  }
  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size > 1 << 20) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(''));
    fs.writeSync(this.fd, buf);
    this.bytes += buf.length;
    this.parts = [];
    this.size = 0;
  }
  close(): number {
    this.flush();
    fs.closeSync(this.fd);
    return this.bytes;
  }
}

const r1 = (v: number): string => (Math.round(v * 10) / 10).toString();
const r2 = (v: number): number => Math.round(v * 100) / 100;

interface Obb {
  cx: number;
  cy: number;
  w: number;
  h: number;
  a: number;
  label: number;
}

function corners(b: Obb): number[] {
  const c = Math.cos(b.a);
  const s = Math.sin(b.a);
  const out: number[] = [];
  for (const [u, v] of [[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]]) {
    out.push(Math.round((b.cx + u * b.w * c - v * b.h * s) * 10) / 10, Math.round((b.cy + u * b.w * s + v * b.h * c) * 10) / 10);
  }
  return out;
}

function xywh(poly: number[]): [number, number, number, number] {
  const xs = [poly[0], poly[2], poly[4], poly[6]];
  const ys = [poly[1], poly[3], poly[5], poly[7]];
  const x = r2(Math.min(...xs));
  const y = r2(Math.min(...ys));
  return [x, y, r2(Math.max(...xs) - x), r2(Math.max(...ys) - y)];
}

function gauss(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function randomObb(rand: () => number): Obb {
  const w = 10 + rand() * 80;
  return { cx: 40 + rand() * 720, cy: 40 + rand() * 720, w, h: 6 + rand() * (w - 6), a: (rand() - 0.5) * Math.PI, label: Math.floor(rand() * DOTA_CLASSES.length) };
}

function jitter(g: Obb, rand: () => number): Obb {
  return {
    cx: g.cx + gauss(rand) * 0.1 * g.w,
    cy: g.cy + gauss(rand) * 0.1 * g.h,
    w: g.w * Math.exp(gauss(rand) * 0.15),
    h: g.h * Math.exp(gauss(rand) * 0.15),
    a: g.a + gauss(rand) * 0.15,
    label: rand() < 0.9 ? g.label : Math.floor(rand() * DOTA_CLASSES.length),
  };
}

export function imageName(i: number): string {
  return `P${String(i + 1).padStart(6, '0')}`;
}

/** Writes the case into `dir` (created); returns the file paths and the bytes written. */
export function writeCase(dir: string, o: CaseOptions): CaseFiles {
  const rand = mulberry32(o.seed);
  const dotaLabels = path.join(dir, 'labelTxt');
  const dotaDets = path.join(dir, 'task1');
  fs.mkdirSync(dotaLabels, { recursive: true });
  fs.mkdirSync(dotaDets, { recursive: true });
  const files: CaseFiles = {
    dir,
    cocoGt: path.join(dir, 'coco_gt.json'),
    cocoDets: path.join(dir, 'coco_dets.json'),
    dotaLabels,
    dotaDets,
    imageset: path.join(dir, 'imageset.txt'),
    bytes: 0,
  };
  const gtAnns = new Sink(files.cocoGt + '.anns');
  const dets = new Sink(files.cocoDets);
  const task1 = DOTA_CLASSES.map((c) => new Sink(path.join(dotaDets, `Task1_${c}.txt`)));
  const names: string[] = [];
  dets.write('[');
  let annId = 0;
  let firstDet = true;
  for (let i = 0; i < o.numImages; i++) {
    const name = imageName(i);
    names.push(name);
    const gts: Obb[] = [];
    const lines: string[] = [];
    for (let k = 0; k < o.gtsPerImage; k++) {
      const g = randomObb(rand);
      gts.push(g);
      const p = corners(g);
      lines.push(`${p.map(r1).join(' ')} ${DOTA_CLASSES[g.label]} 0`);
      const bb = xywh(p);
      gtAnns.write(`${annId === 0 ? '' : ','}{"id":${++annId},"image_id":${i + 1},"category_id":${g.label + 1},"bbox":[${bb.join(',')}],"area":${r2(bb[2] * bb[3])},"iscrowd":0}`);
    }
    fs.writeFileSync(path.join(dotaLabels, `${name}.txt`), lines.join('\n') + '\n');
    for (let k = 0; k < o.detsPerImage; k++) {
      const jittered = k < o.detsPerImage / 2;
      const d = jittered ? jitter(gts[Math.floor(rand() * gts.length)], rand) : randomObb(rand);
      const score = Math.round((jittered ? 0.3 + 0.7 * rand() : 0.7 * rand()) * 1e4) / 1e4;
      const p = corners(d);
      task1[d.label].write(`${name} ${score} ${p.map(r1).join(' ')}\n`);
      dets.write(`${firstDet ? '' : ','}{"image_id":${i + 1},"category_id":${d.label + 1},"bbox":[${xywh(p).join(',')}],"score":${score}}`);
      firstDet = false;
    }
  }
  dets.write(']');
  files.bytes += dets.close() + task1.reduce((s, t) => s + t.close(), 0);
  gtAnns.close();
  // The GT file: header (images, categories) + the annotations written above, streamed.
  const gt = new Sink(files.cocoGt);
  gt.write('{"images":[');
  names.forEach((n, i) => gt.write(`${i ? ',' : ''}{"id":${i + 1},"file_name":"${n}.png","width":800,"height":800}`));
  gt.write(`],"categories":${JSON.stringify(DOTA_CLASSES.map((name, i) => ({ id: i + 1, name })))},"annotations":[`);
  gt.flush();
  const fd = fs.openSync(files.cocoGt + '.anns', 'r');
  const chunk = Buffer.alloc(1 << 20);
  for (let n; (n = fs.readSync(fd, chunk)) > 0; ) gt.write(chunk.subarray(0, n).toString('latin1'));
  fs.closeSync(fd);
  fs.rmSync(files.cocoGt + '.anns');
  gt.write(']}');
  files.bytes += gt.close();
  fs.writeFileSync(files.imageset, names.join('\n') + '\n');
  return files;
}

/**
 * A COCO results file of about `gib` GiB for the images of a case (random boxes, scores on a
 * 1e-4 grid): the bounded-memory check of the streaming reader.
 */
export function writeBigResults(file: string, numImages: number, gib: number, seed: number): number {
  const rand = mulberry32(seed);
  const out = new Sink(file);
  out.write('[');
  const target = gib * 2 ** 30;
  let first = true;
  for (let i = 0; out.bytes < target; i = (i + 1) % numImages) {
    for (let k = 0; k < 200; k++) {
      const b = randomObb(rand);
      out.write(`${first ? '' : ','}{"image_id":${i + 1},"category_id":${b.label + 1},"bbox":[${xywh(corners(b)).join(',')}],"score":${Math.round(rand() * 1e4) / 1e4}}`);
      first = false;
    }
    out.flush();
  }
  out.write(']');
  return out.close();
}
