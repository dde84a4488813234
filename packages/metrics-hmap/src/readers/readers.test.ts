import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES_DIR } from '../testing/reference-case.js';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateProtocol } from '../protocols/evaluate.js';
import { readCocoDataset } from './coco-json.js';
import { readDotaDataset } from './dota-txt.js';
import { applyModalityMap, readModalityMap } from './modality-map.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hmap-readers-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const p = path.join(tmp, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
};

describe('COCO JSON reader', () => {
  const gt = write(
    'coco/gt.json',
    JSON.stringify({
      images: [
        { id: 9, file_name: 'b.png' },
        { id: 2, file_name: 'a.png' },
      ],
      categories: [
        { id: 5, name: 'ship' },
        { id: 1, name: 'car' },
      ],
      annotations: [
        { id: 1, image_id: 2, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 },
        { id: 2, image_id: 2, category_id: 1, bbox: [50, 50, 10, 10], area: 100, iscrowd: 0, ignore: 1 },
        { id: 3, image_id: 9, category_id: 5, bbox: [0, 0, 100, 100], area: 7, iscrowd: 1 },
      ],
    }),
  );
  const dets = write('coco/dets.json', JSON.stringify([{ image_id: 2, category_id: 1, bbox: [50, 50, 10, 10], score: 0.9 }]));

  it('orders images and categories by id, converts xywh to xyxy, keeps area fields', () => {
    const ds = readCocoDataset(gt, dets);
    expect(ds.images.map((i) => i.name)).toEqual(['a.png', 'b.png']);
    expect(ds.classes).toEqual(['car', 'ship']);
    expect(Array.from(ds.gts.boxes.subarray(4, 8))).toEqual([50, 50, 60, 60]);
    expect(Array.from(ds.gts.area!)).toEqual([100, 100, 7]);
    expect(Array.from(ds.dets.area!)).toEqual([100]);
  });

  it('ignore:1 or iscrowd:1 is difficult for voc; only iscrowd is crowd for coco', () => {
    const ds = readCocoDataset(gt, dets);
    expect(Array.from(ds.gts.difficult)).toEqual([0, 1, 1]);
    expect(Array.from(ds.gts.crowd!)).toEqual([0, 0, 1]);
    // voc: the det hits the ignored GT → neither TP nor FP; 1 positive missed → AP 0
    const voc = evaluateProtocol(ds, 'voc');
    expect(voc.perClass[0].numGts).toBe(1);
    expect(voc.perClass[0].ap).toBe(0);
    // coco: `ignore` is overwritten by iscrowd → 2 positives, the det finds one
    const coco = evaluateProtocol(ds, 'coco');
    expect(coco.perClass[0].numGts).toBe(2);
    expect(coco.perClass[0].ap).toBeGreaterThan(0.49);
  });

  it('a class list restricts and orders classes; a used category outside it is an error', () => {
    expect(readCocoDataset(gt, dets, { classes: ['ship', 'car', 'bus'] }).classes).toEqual(['ship', 'car', 'bus']);
    expect(() => readCocoDataset(gt, dets, { classes: ['car'] })).toThrow(/annotations\[2\]\.category_id: category "ship" is not in the class list/);
  });

  it('names the field of a malformed annotation', () => {
    const bad = write('coco/bad.json', JSON.stringify({ images: [{ id: 1, file_name: 'x' }], categories: [{ id: 1, name: 'a' }], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 1] }] }));
    expect(() => readCocoDataset(bad, dets)).toThrow(/bad\.json annotations\[0\]\.bbox: expected \[x, y, w, h\] \(4 finite numbers\), got \[0,0,1\]/);
  });

  it('rejects a negative width or height (xyxy written as xywh, say), naming the entry and the value', () => {
    const negDets = write('coco/neg-dets.json', JSON.stringify([
      { image_id: 2, category_id: 1, bbox: [0, 0, 10, 10], score: 0.9 },
      { image_id: 2, category_id: 1, bbox: [50, 50, 40, -10], score: 0.8 },
    ]));
    expect(() => readCocoDataset(gt, negDets)).toThrow(/neg-dets\.json \[1\]\.bbox\[3\]: height must be ≥ 0 \(bbox is \[x, y, w, h\]\), got -10/);
    const negGt = write('coco/neg-gt.json', JSON.stringify({ images: [{ id: 1, file_name: 'x' }], categories: [{ id: 1, name: 'a' }], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [5, 5, -1, 3] }] }));
    expect(() => readCocoDataset(negGt, dets)).toThrow(/neg-gt\.json annotations\[0\]\.bbox\[2\]: width must be ≥ 0 \(bbox is \[x, y, w, h\]\), got -1/);
    // Zero size is legal (a degenerate box scores IoU 0, as in pycocotools).
    const zero = write('coco/zero-dets.json', JSON.stringify([{ image_id: 2, category_id: 1, bbox: [0, 0, 0, 10], score: 0.9 }]));
    expect(readCocoDataset(gt, zero).dets.area![0]).toBe(0);
  });
});

describe('COCO results: id lookups (a table for ids 0..~4N, a Map otherwise)', () => {
  it('reads sparse and huge ids the same as small ones, and names an unknown id in either case', () => {
    for (const base of [0, 1e12]) {
      const g = write(`coco/ids-${base}.json`, JSON.stringify({
        images: [{ id: base + 7, file_name: 'a' }, { id: base + 3, file_name: 'b' }],
        categories: [{ id: base + 40, name: 'ship' }],
        annotations: [{ id: 1, image_id: base + 3, category_id: base + 40, bbox: [0, 0, 10, 10] }],
      }));
      const d = write(`coco/ids-dets-${base}.json`, JSON.stringify([{ image_id: base + 3, category_id: base + 40, bbox: [0, 0, 10, 10], score: 0.5 }, { image_id: base + 7, category_id: base + 40, bbox: [1, 1, 2, 2], score: 0.4 }]));
      const ds = readCocoDataset(g, d);
      expect(ds.images.map((i) => i.name)).toEqual(['b', 'a']);
      expect(Array.from(ds.dets.imageIndex)).toEqual([0, 1]);
      expect(evaluateProtocol(ds, 'voc').mAP).toBe(1);
      for (const [field, value, message] of [['image_id', base + 5, `unknown image id ${base + 5} (not in the ground truth)`], ['category_id', base + 41, `unknown category id ${base + 41}`]] as const) {
        const bad = write(`coco/ids-bad-${base}-${field}.json`, JSON.stringify([{ image_id: base + 3, category_id: base + 40, bbox: [0, 0, 1, 1], score: 1, [field]: value }]));
        expect(() => readCocoDataset(g, bad)).toThrow(`[0].${field}: ${message}`);
      }
    }
  });
});

describe('streamed COCO reading (files of 64 MiB or more; forced here with streamAboveBytes: 0)', () => {
  it('gives exactly the dataset JSON.parse gives, on a reference case', () => {
    const dir = path.join(CASES_DIR, 'std', 'coco_map_50_95');
    const parsed = readCocoDataset(path.join(dir, 'gt_coco.json'), path.join(dir, 'dets_coco.json'));
    const streamed = readCocoDataset(path.join(dir, 'gt_coco.json'), path.join(dir, 'dets_coco.json'), { streamAboveBytes: 0 });
    expect(streamed).toEqual(parsed);
    expect(streamed.dets.scores.length).toBeGreaterThan(100);
  });
});

describe('DOTA txt reader', () => {
  const labels = path.join(tmp, 'dota/labelTxt');
  const task1 = path.join(tmp, 'dota/task1');
  write('dota/labelTxt/P2.txt', 'imagesource:GoogleEarth\ngsd:0.146\n0 0 10 0 10 10 0 10 ship 1\n20 20 30 20 30 30 20 30 plane\n');
  write('dota/labelTxt/P1.txt', '');
  write('dota/task1/Task1_plane.txt', 'P2 0.5 20 20 30 20 30 30 20 30\nP1 0.5 0 0 1 0 1 1 0 1\n');
  write('dota/task1/Task1_harbor.txt', '');
  write('dota/task1/notes.txt', 'not a result file');

  it('reads images by name, skips header lines, defaults difficult to 0, keeps line order', () => {
    const ds = readDotaDataset(labels, task1);
    expect(ds.images.map((i) => i.name)).toEqual(['P1', 'P2']);
    expect(ds.geometry).toBe('poly');
    expect(Array.from(ds.gts.difficult)).toEqual([1, 0]);
    expect(Array.from(ds.dets.imageIndex)).toEqual([1, 0]);
  });

  it('class list = union of GT names and Task1 files (an empty file still declares its class)', () => {
    expect(readDotaDataset(labels, task1).classes).toEqual(['harbor', 'plane', 'ship']);
    const r = evaluateProtocol(readDotaDataset(labels, task1), 'dota');
    // devkit mean over all 3 classes: plane 1, harbor 0 (no GT), ship 0 (only difficult)
    expect(r.perClass.map((c) => c.ap)).toEqual([0, 1, 0]);
    expect(r.mAP).toBeCloseTo(1 / 3, 15);
  });

  it('modality map: names match with or without extension; a missing image is an error', () => {
    const ds = readDotaDataset(labels, task1);
    applyModalityMap(ds.images, { 'P1.png': 'ir', P2: 'rgb' }, 'm.json');
    expect(ds.images.map((i) => i.modality)).toEqual(['ir', 'rgb']);
    expect(() => applyModalityMap(ds.images, { P1: 'ir' }, 'm.json')).toThrow(/m\.json: image "P2" has no modality/);
  });
});

describe('DOTA txt reader: more rows than the first typed-array block (1024)', () => {
  it('keeps every polygon when the columns grow (a write once went to the old buffer)', () => {
    const n = 2500;
    const poly = (i: number): number[] => [i, 0, i + 10, 0, i + 10, 10, i, 10];
    write('big/labelTxt/a.txt', Array.from({ length: n }, (_, i) => `${poly(i).join(' ')} ship 0`).join('\n'));
    write('big/task1/Task1_ship.txt', Array.from({ length: n }, (_, i) => `a 0.5 ${poly(i).join(' ')}`).join('\n'));
    const ds = readDotaDataset(path.join(tmp, 'big/labelTxt'), path.join(tmp, 'big/task1'));
    expect(ds.gts.labels.length).toBe(n);
    expect(Array.from(ds.gts.boxes.subarray(8 * (n - 1), 8 * n))).toEqual(poly(n - 1));
    expect(Array.from(ds.dets.boxes.subarray(8 * 1500, 8 * 1501))).toEqual(poly(1500));
    expect(evaluateProtocol(ds, 'dota').mAP).toBe(1);
    // every row keeps its label, image and score across the doublings (1024, 2048)
    expect(Array.from(ds.dets.scores).every((s) => s === 0.5)).toBe(true);
    expect(Array.from(ds.gts.difficult).every((d) => d === 0)).toBe(true);
    expect(new Set(ds.dets.labels).size).toBe(1);
  });
});

describe('reader robustness: BOM, JSON syntax errors with line numbers, class lists', () => {
  const gtObj = {
    images: [{ id: 1, file_name: 'NaN.png' }], // "NaN" inside a string is not a bare NaN
    categories: [{ id: 1, name: 'ship' }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 }],
  };
  const detsText = JSON.stringify([{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.5 }]);

  it('reads COCO JSON and DOTA txt that start with a UTF-8 byte-order mark', () => {
    const gt = write('bom/gt.json', '\uFEFF' + JSON.stringify(gtObj));
    const dets = write('bom/dets.json', '\uFEFF' + detsText);
    const ds = readCocoDataset(gt, dets);
    expect(ds.images[0].name).toBe('NaN.png');
    expect(evaluateProtocol(ds, 'voc').mAP).toBe(1);
    const labels = path.join(tmp, 'bom/labelTxt');
    write('bom/labelTxt/P1.txt', '\uFEFF0 0 10 0 10 10 0 10 ship 0\r\n');
    write('bom/task1/Task1_ship.txt', '\uFEFFP1 0.9 0 0 10 0 10 10 0 10\r\n');
    expect(evaluateProtocol(readDotaDataset(labels, path.join(tmp, 'bom/task1')), 'dota').mAP).toBe(1);
  });

  it('names file:line:column of a JSON syntax error', () => {
    const bad = write('syntax/dets.json', '[\n  {"image_id": 1, "score": 0.5}\n  {"image_id": 2}\n]');
    expect(() => readCocoDataset(write('syntax/gt.json', JSON.stringify(gtObj)), bad)).toThrow(/syntax[/\\]dets\.json line 3: invalid JSON at column 3/);
  });

  it('rejects duplicate names in a class list and duplicate COCO categories', () => {
    const gt = write('dup/gt.json', JSON.stringify(gtObj));
    const dets = write('dup/dets.json', detsText);
    expect(() => readCocoDataset(gt, dets, { classes: ['ship', 'car', 'ship'] })).toThrow(/classes\[2\]: duplicate class "ship" \(also at \[0\]\)/);
    const dupName = write('dup/gt2.json', JSON.stringify({ ...gtObj, categories: [{ id: 1, name: 'ship' }, { id: 2, name: 'ship' }] }));
    expect(() => readCocoDataset(dupName, dets)).toThrow(/gt2\.json categories\[1\]\.name: duplicate category name "ship"/);
    const dupId = write('dup/gt3.json', JSON.stringify({ ...gtObj, categories: [{ id: 1, name: 'ship' }, { id: 1, name: 'car' }] }));
    expect(() => readCocoDataset(dupId, dets)).toThrow(/gt3\.json categories\[1\]\.id: duplicate category id 1/);
    // DOTA: a repeated class would be a ghost class that the devkit mean counts as AP 0.
    expect(() => readDotaDataset(path.join(tmp, 'dota/labelTxt'), path.join(tmp, 'dota/task1'), { classes: ['plane', 'ship', 'plane', 'harbor'] })).toThrow(
      /classes\[2\]: duplicate class "plane"/,
    );
  });
});

describe('real sample: HIT-UAV COCO-like JSON (fixtures/samples/ir/hit-uav/coco/test_subset.json)', () => {
  // Quirks of the real file (samples/SOURCES.md): top-level `annotation` (singular), images
  // with `filename`, category ids from 0. It used to read as "no GT at all" and print mAP −1/0
  // with exit code 0.
  const sample = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../fixtures/samples/ir/hit-uav/coco/test_subset.json');
  const raw = JSON.parse(fs.readFileSync(sample, 'utf8')) as { annotation: { image_id: number; category_id: number; bbox: number[] }[] };

  it('reads its 16 GTs and file names; the GT as detections scores AP = 1/(1 + 2.2e-16) per class', () => {
    const dets = write('hit/dets.json', JSON.stringify(raw.annotation.map((a) => ({ image_id: a.image_id, category_id: a.category_id, bbox: a.bbox, score: 0.9 }))));
    const ds = readCocoDataset(sample, dets);
    expect(ds.gts.labels.length).toBe(16);
    expect(ds.images.map((i) => i.name)).toEqual(['0_80_70_0_07057.jpg', '1_90_40_0_04880.jpg']);
    expect(ds.classes).toEqual(['Person', 'Car', 'Bicycle', 'OtherVehicle', 'DontCare']);
    applyModalityMap(ds.images, { '0_80_70_0_07057.jpg': 'ir', '1_90_40_0_04880.jpg': 'ir' }, 'm.json');
    const r = evaluateProtocol(ds, 'coco');
    for (const c of r.perClass) expect(c.ap, c.name).toBeCloseTo(1 / (1 + 2.220446049250313e-16), 14);
    expect(r.perClass.reduce((n, c) => n + c.numGts, 0)).toBe(16);
  });

  it('a JSON with neither "annotations" nor "annotation" is an error naming the file and its keys', () => {
    const notGt = write('hit/not-gt.json', JSON.stringify({ images: [{ id: 1, file_name: 'a.png' }], categories: [{ id: 1, name: 'a' }] }));
    expect(() => readCocoDataset(notGt, write('hit/empty.json', '[]'))).toThrow(/not-gt\.json annotations: missing top-level "annotations" array.*"images", "categories"/);
  });
});

describe('modality map file (zod schema)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hmap-modmap-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  it('names the key of a bad modality; keeps an image named __proto__', () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ 'a.png': 'sar', 'b.png': '' }));
    expect(() => readModalityMap(bad)).toThrow(`${bad} "b.png": modality must be a non-empty string`);
    fs.writeFileSync(bad, '[1]');
    expect(() => readModalityMap(bad)).toThrow(`${bad}: expected an object {image name: modality}`);
    const proto = path.join(dir, 'proto.json');
    fs.writeFileSync(proto, '{"__proto__": "ir", "a.png": "sar"}');
    expect(Object.keys(readModalityMap(proto))).toEqual(['__proto__', 'a.png']);
  });
});
