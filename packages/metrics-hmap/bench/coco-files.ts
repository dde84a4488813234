/**
 * Writes a synthetic HBB dataset as COCO files (instances GT + results list) for the
 * "load + evaluate" benchmark, streaming so the writer itself stays small in memory.
 * Coordinates are rounded to 2 decimals, scores to 4, like real detector outputs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EvalDataset } from '../src/index.js';

const r2 = (v: number): number => Math.round(v * 100) / 100;

function writeChunks(file: string, head: string, n: number, item: (i: number) => string, tail: string): void {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, head);
  let buf: string[] = [];
  for (let i = 0; i < n; i++) {
    buf.push(item(i));
    if (buf.length === 10000 || i === n - 1) {
      fs.writeSync(fd, (i >= buf.length ? ',' : '') + buf.join(','));
      buf = [];
    }
  }
  fs.writeSync(fd, tail);
  fs.closeSync(fd);
}

export function writeCocoFiles(ds: EvalDataset, dir: string): { gt: string; dets: string } {
  fs.mkdirSync(dir, { recursive: true });
  const gt = path.join(dir, 'gt.json');
  const dets = path.join(dir, 'dets.json');
  const images = JSON.stringify(ds.images.map((im, i) => ({ id: i + 1, file_name: `${im.name}.png`, width: 800, height: 800 })));
  const categories = JSON.stringify(ds.classes.map((name, i) => ({ id: i + 1, name })));
  const xywh = (b: Float64Array, i: number): number[] => {
    const x = r2(b[4 * i]);
    const y = r2(b[4 * i + 1]);
    return [x, y, r2(b[4 * i + 2] - x), r2(b[4 * i + 3] - y)];
  };
  const g = ds.gts;
  writeChunks(gt, `{"images":${images},"categories":${categories},"annotations":[`, g.labels.length, (i) => {
    const bb = xywh(g.boxes, i);
    return `{"id":${i + 1},"image_id":${g.imageIndex[i] + 1},"category_id":${g.labels[i] + 1},"bbox":[${bb.join(',')}],"area":${r2(bb[2] * bb[3])},"iscrowd":0}`;
  }, ']}');
  const d = ds.dets;
  writeChunks(dets, '[', d.labels.length, (i) => {
    const bb = xywh(d.boxes, i);
    return `{"image_id":${d.imageIndex[i] + 1},"category_id":${d.labels[i] + 1},"bbox":[${bb.join(',')}],"score":${d.scores[i]}}`;
  }, ']');
  return { gt, dets };
}
