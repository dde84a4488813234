// Reads and writes each format once, and shows what a bad file gives: run with
//   npx tsx --conditions=@babelrs/source packages/formats/examples/read-formats.ts
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FormatError, parseDecimal, readCocoJson, readDotaTxt, readVocXml, scanCocoResults, writeCocoResults, writeDotaTxt } from '@babelrs/formats';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formats-example-'));

// DOTA labelTxt: written atomically, read back line by line (LF, CRLF or CR).
const dota = path.join(dir, 'P0001.txt');
writeDotaTxt(dota, [{ poly: [10, 10, 50, 10, 50, 30, 10, 30], className: 'ship', difficult: 2 }], { gsd: 0.5 });
const label = readDotaTxt(dota);
console.log('DOTA:', label.gsd, label.objects.map((o) => `${o.className} difficult=${o.difficult} line ${o.line}`).join(', '));

// COCO ground truth: zod-validated, errors name the JSON path.
const gt = path.join(dir, 'gt.json');
fs.writeFileSync(gt, JSON.stringify({
  images: [{ id: 1, file_name: 'a.png', width: 64, height: 48 }],
  categories: [{ id: 1, name: 'ship' }],
  annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [4, 4, 10, 6], area: -60, iscrowd: 0 }],
}));
try {
  readCocoJson(gt);
} catch (err) {
  if (err instanceof FormatError) console.log('COCO error:', err.field, '-', err.reason);
}

// COCO results: visited entry by entry (streamed above 64 MiB).
const dets = path.join(dir, 'dets.json');
writeCocoResults(dets, [{ imageId: 1, categoryId: 1, bbox: [4, 4, 10, 6], score: 0.9 }]);
scanCocoResults(dets, (r, i) => console.log(`result [${i}]: image ${r.imageId}, score ${r.score}`));

// VOC XML through fast-xml-parser, with depth and size limits.
const voc = path.join(dir, 'a.xml');
fs.writeFileSync(voc, '<annotation><size><width>64</width><height>48</height></size><object><name>ship</name><bndbox><xmin>4</xmin><ymin>4</ymin><xmax>14</xmax><ymax>10</ymax></bndbox></object></annotation>');
const ann = readVocXml(voc);
console.log('VOC:', ann.width, 'x', ann.height, ann.objects[0].name, JSON.stringify(ann.objects[0].geometry));

// The strict number grammar.
console.log('numbers:', ['1e1', '0x10', '', '.5'].map((t) => `${JSON.stringify(t)} → ${parseDecimal(t)}`).join(', '));
fs.rmSync(dir, { recursive: true, force: true });
