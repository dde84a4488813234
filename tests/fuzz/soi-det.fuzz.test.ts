// Fuzz of loadSoiDet (@babelrs/datasets): the label files of a tiny SOI-Det-layout dataset
// (RGB DOTA txt, SAR COCO JSON) mutated as in formats.fuzz.test.ts, plus the structural
// mistakes (labels folder missing while images exist). See harness.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError, encodeImage, loadSoiDet, type DetectionSample } from '@babelrs/datasets';
import { allFinite, dropField, EOL_OPS, fuzzTarget, report, SPACING_OPS, type FuzzTarget, type Tally, type TextOp } from './harness.js';

const tallies: Tally[] = [];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-fuzz-soi-'));
const png = path.join(work, 'image.png');
beforeAll(async () => {
  fs.writeFileSync(png, await encodeImage({ data: new Float32Array(3 * 40 * 30).fill(100), width: 40, height: 30, channels: 3 }, '.png'));
});
afterAll(() => {
  report(tallies);
  fs.rmSync(work, { recursive: true, force: true });
});

/** A mutant that removes the labels (while the images stay): the loader must say so. */
const NO_LABELS = 'BABELRS-FUZZ-NO-LABELS';
const noLabels: TextOp = () => NO_LABELS;

/** Builds a one-image dataset around the mutant label file; the split is named after the mutant. */
async function loadAround(labelFile: string, modality: 'rgb' | 'sar'): Promise<DetectionSample[]> {
  const split = path.basename(labelFile).replace(/\.\w+$/, '');
  const root = path.join(work, split);
  const text = fs.readFileSync(labelFile);
  const imgDir = path.join(root, modality, 'images', split);
  fs.mkdirSync(imgDir, { recursive: true });
  fs.symlinkSync(png, path.join(imgDir, modality === 'rgb' ? 'P1.png' : 's1.png'));
  if (text.toString() !== NO_LABELS) {
    const label = modality === 'rgb' ? path.join(root, 'rgb', 'labelTxt', split, 'P1.txt') : path.join(root, 'sar', 'annotations', `${split}.json`);
    fs.mkdirSync(path.dirname(label), { recursive: true });
    fs.writeFileSync(label, text);
  }
  try {
    return (await loadSoiDet(root, { modalities: [modality], splits: [split] })).samples;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

const normalize = (r: DetectionSample[]): unknown => r.map((s) => ({ w: s.width, h: s.height, type: s.boxType, boxes: Array.from(s.boxes), labels: Array.from(s.labels), difficult: Array.from(s.difficult) }));
const invariant = (r: DetectionSample[]): string | undefined => {
  for (const s of r) {
    if (!allFinite(s.boxes)) return `non-finite box in ${s.id}`;
    if (!s.labels.every((l) => Number.isInteger(l) && l >= 0 && l < 26)) return `label out of range in ${s.id}`;
    if (!(s.width > 0 && s.height > 0)) return `size of ${s.id}`;
    if (s.boxes.length !== s.labels.length * (s.boxType === 'hbb' ? 4 : 5)) return `box count of ${s.id}`;
  }
  return undefined;
};
const namesSplit = (err: Error, file: string): boolean => err.message.includes(path.basename(file).replace(/\.\w+$/, ''));

const rgb: FuzzTarget<DetectionSample[]> = {
  name: 'loadSoiDet (RGB DOTA)',
  ext: '.txt',
  bases: [Buffer.from('imagesource:GoogleEarth\ngsd:0.5\n2 2 12 2 12 8 2 8 large-vehicle 0\n20 5 30 5 30 25 20 25 small-vehicle 1\n1 20 6 20 6 28 1 28 ship 2\n')],
  read: (f) => loadAround(f, 'rgb'),
  normalize,
  invariant,
  benign: [...EOL_OPS, ...SPACING_OPS],
  harmful: [dropField, noLabels],
  isOurError: (e): e is Error => e instanceof DatasetError,
  namesFile: namesSplit,
};

const sar: FuzzTarget<DetectionSample[]> = {
  name: 'loadSoiDet (SAR COCO)',
  ext: '.json',
  bases: [
    Buffer.from(
      JSON.stringify({
        images: [{ id: 1, file_name: 's1.png', width: 40, height: 30 }],
        categories: [{ id: 1, name: 'ship' }, { id: 2, name: 'aircraft' }],
        annotations: [
          { id: 1, image_id: 1, category_id: 1, bbox: [2, 3, 10, 6], area: 60, iscrowd: 0 },
          { id: 2, image_id: 1, category_id: 2, bbox: [20, 5, 8, 8], area: 64, iscrowd: 0 },
        ],
      }),
    ),
  ],
  read: (f) => loadAround(f, 'sar'),
  normalize,
  invariant,
  benign: [...EOL_OPS, (t) => JSON.stringify(JSON.parse(t.replace(/^\ufeff/, '')), null, 2)],
  harmful: [noLabels, (t, a) => t.replace(/"(bbox|area|iscrowd|image_id|category_id|name)":/g, (m, k, off) => (off % 3 === a % 3 ? `"${k}_":` : m))],
  isOurError: (e): e is Error => e instanceof DatasetError,
  namesFile: namesSplit,
};

describe('fuzz: loadSoiDet', () => {
  for (const target of [rgb, sar]) {
    it(`${target.name}: reads valid samples or throws a DatasetError naming the file`, async () => {
      const t = await fuzzTarget(target);
      tallies.push(t);
      expect(t.examples, t.examples.join('\n')).toEqual([]);
      expect(t.inputs).toBeGreaterThanOrEqual(200);
    });
  }
});
