import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { obbToPoly } from '@babelrs/boxes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES } from '../testing/test-support.js';
import { buildUnified, SOI_DET_CLASS_SPACES, unifiedClassId } from '../classes.js';
import { DatasetError } from '../errors.js';
import { vocGeometriesToObb } from './voc-boxes.js';
import { readVocXml } from '@babelrs/formats';
import { loadSoiDet } from './soi-det-layout.js';
import { writeCocoJson } from '@babelrs/formats';
import { writeDotaTxt } from '@babelrs/formats';

const here = path.dirname(fileURLToPath(import.meta.url));
let root: string;

/** An SOI-Det-layout dataset built from the real samples (SSDD → COCO, DOTA as is, HIT-UAV obb → DOTA txt). */
function buildDataset(dir: string): void {
  const ssdd = ['000001', '000741'].map((id) => readVocXml(path.join(SAMPLES, `sar/ssdd/Annotations/${id}.xml`)));
  let annId = 1;
  writeCocoJson(path.join(dir, 'sar/annotations/train.json'), {
    images: ssdd.map((a, i) => ({ id: i + 1, fileName: a.filename!, width: a.width, height: a.height })),
    categories: [{ id: 1, name: 'ship' }],
    annotations: ssdd.flatMap((a, i) =>
      a.objects.map((o) => {
        const [x1, y1, x2, y2] = o.geometry.kind === 'bndbox' ? o.geometry.xyxy : [0, 0, 0, 0];
        return { id: annId++, imageId: i + 1, categoryId: 1, bbox: [x1, y1, x2 - x1, y2 - y1] as [number, number, number, number] };
      }),
    ),
  });
  fs.mkdirSync(path.join(dir, 'sar/images/train'), { recursive: true });
  for (const a of ssdd) fs.copyFileSync(path.join(SAMPLES, 'sar/ssdd/JPEGImages', a.filename!), path.join(dir, 'sar/images/train', a.filename!));

  fs.mkdirSync(path.join(dir, 'rgb/labelTxt/train'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'rgb/images/train'), { recursive: true });
  fs.copyFileSync(path.join(SAMPLES, 'dota/labelTxt/P1888.txt'), path.join(dir, 'rgb/labelTxt/train/P1888.txt'));
  fs.copyFileSync(path.join(SAMPLES, 'dota/images/P1888.png'), path.join(dir, 'rgb/images/train/P1888.png'));

  fs.mkdirSync(path.join(dir, 'ir/images/val'), { recursive: true });
  for (const stem of ['0_80_70_0_07057', '1_90_40_0_04880']) {
    const a = readVocXml(path.join(SAMPLES, `ir/hit-uav/xml_obb/${stem}.xml`));
    const cars = a.objects.filter((o) => o.name === 'Car');
    const polys = obbToPoly(vocGeometriesToObb(cars.map((o) => o.geometry)));
    writeDotaTxt(
      path.join(dir, `ir/labelTxt/val/${stem}.txt`),
      cars.map((o, k) => ({ poly: polys.subarray(k * 8, k * 8 + 8), className: 'car', difficult: o.difficult })),
    );
    fs.copyFileSync(path.join(SAMPLES, `ir/hit-uav/images/${stem}.jpg`), path.join(dir, `ir/images/val/${stem}.jpg`));
  }
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'soi-det-'));
  buildDataset(root);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('loadSoiDet', () => {
  it('loads every modality and split present, with unified labels', async () => {
    const r = await loadSoiDet(root);
    expect(r.counts).toEqual({ 'sar/train': 2, 'rgb/train': 1, 'ir/val': 2 });
    expect(r.skipped).toEqual([]);
    const sar = r.samples.find((s) => s.id === 'sar/train/000741')!;
    expect(sar).toMatchObject({ modality: 'sar', boxType: 'hbb', width: 502, height: 344 });
    expect(Array.from(sar.boxes)).toEqual([343, 134, 417, 166, 60, 97, 179, 133, 8, 65, 183, 116]);
    expect(Array.from(sar.labels)).toEqual([0, 0, 0]);
    expect(fs.existsSync(sar.imagePath)).toBe(true);
  });

  it('gives RGB OBBs (le90) from the DOTA polygons and image sizes from the headers', async () => {
    const r = await loadSoiDet(root, { modalities: ['rgb'] });
    const [s] = r.samples;
    expect(s).toMatchObject({ id: 'rgb/train/P1888', modality: 'rgb', boxType: 'obb', width: 712, height: 557 });
    expect(s.boxes.length).toBe(64 * 5);
    const large = unifiedClassId('rgb', 'large-vehicle');
    const small = unifiedClassId('rgb', 'small-vehicle');
    expect([large, small]).toEqual([15, 16]);
    expect(Array.from(s.labels).filter((l) => l === large)).toHaveLength(50);
    expect(Array.from(s.labels).filter((l) => l === small)).toHaveLength(14);
    expect(Array.from(s.difficult).every((d) => d === 0)).toBe(true);
    // First object: polygon (674,375) (683,375) (684,394) (675,395) → centre (679, 384.75).
    expect(s.boxes[0]).toBeCloseTo(679, 1);
    expect(s.boxes[1]).toBeCloseTo(384.75, 1);
    for (let i = 0; i < 64; i++) {
      expect(s.boxes[i * 5 + 2]).toBeGreaterThanOrEqual(s.boxes[i * 5 + 3]);
      expect(Math.abs(s.boxes[i * 5 + 4])).toBeLessThanOrEqual(Math.PI / 2);
    }
  });

  it('gives IR OBBs in the DroneVehicle classes', async () => {
    const r = await loadSoiDet(root, { modalities: ['ir'], splits: ['val'] });
    expect(r.samples.map((s) => s.id)).toEqual(['ir/val/0_80_70_0_07057', 'ir/val/1_90_40_0_04880']);
    const s = r.samples[0];
    expect([s.width, s.height]).toEqual([640, 512]);
    expect(new Set(s.labels)).toEqual(new Set([unifiedClassId('ir', 'car')]));
    expect(Array.from(s.boxes.subarray(0, 5)).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([340.8313, 440.8735, 119, 55, 0]);
  });

  it('takes the class lists from options', async () => {
    const ir = { ...SOI_DET_CLASS_SPACES.ir, classes: [{ name: 'truck', concept: 'truck' }, { name: 'car', concept: 'car' }] };
    const classes = buildUnified({ ...SOI_DET_CLASS_SPACES, ir });
    const r = await loadSoiDet(root, { modalities: ['ir'], classes });
    expect(new Set(r.samples[0].labels)).toEqual(new Set([22]));
  });

  it('applies class aliases before the class lookup', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soi-det-alias-'));
    buildDataset(dir);
    const label = path.join(dir, 'ir/labelTxt/val/0_80_70_0_07057.txt');
    fs.writeFileSync(label, fs.readFileSync(label, 'utf8').replace(/ car /g, ' frieght_car '));
    await expect(loadSoiDet(dir, { modalities: ['ir'] })).rejects.toThrow(/unknown class "frieght_car"/);
    const r = await loadSoiDet(dir, { modalities: ['ir'], classAliases: { ir: { frieght_car: 'freight_car' } } });
    expect(new Set(r.samples[0].labels)).toEqual(new Set([unifiedClassId('ir', 'freight_car')]));
    await expect(loadSoiDet(dir, { modalities: ['ir'], classAliases: { ir: { x: 'nope' } } })).rejects.toThrow(/"nope", which is not a ir class/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the SOI-Det release spellings: DOTA Ship/Harbor/Bridge and DroneVehicle CAR, FERIGHT_CAR, …', async () => {
    // SM3Det's dataset classes: Dota_Dataset (…, 'Ship', 'Harbor', …, 'Bridge', …) and
    // DroneVehicle_Dataset ('CAR', 'BUS', 'FERIGHT_CAR', 'TRUCK', 'VAN'); the label files use these names.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soi-det-release-'));
    try {
      buildDataset(dir);
      const rgbLabel = path.join(dir, 'rgb/labelTxt/train/P1888.txt');
      fs.appendFileSync(rgbLabel, '1 1 5 1 5 5 1 5 Ship 0\r\n10 10 30 10 30 20 10 20 Harbor 1\r\n40 40 90 40 90 50 40 50 Bridge 0\r\n');
      const irLabel = path.join(dir, 'ir/labelTxt/val/0_80_70_0_07057.txt');
      fs.writeFileSync(irLabel, '1 1 9 1 9 5 1 5 CAR 0\n1 11 19 11 19 15 1 15 FERIGHT_CAR 0\n1 21 29 21 29 25 1 25 TRUCK 0\n1 31 29 31 29 35 1 35 BUS 0\n1 41 9 41 9 45 1 45 VAN 0\n');
      const r = await loadSoiDet(dir, { modalities: ['rgb', 'ir'] });
      expect(r.skipped).toEqual([]);
      const rgb = r.samples.find((s) => s.id === 'rgb/train/P1888')!;
      expect(Array.from(rgb.labels.subarray(64))).toEqual(['ship', 'harbor', 'bridge'].map((n) => unifiedClassId('rgb', n)));
      expect(Array.from(rgb.difficult.subarray(64))).toEqual([0, 1, 0]);
      const ir = r.samples.find((s) => s.id === 'ir/val/0_80_70_0_07057')!;
      expect(Array.from(ir.labels)).toEqual(['car', 'freight_car', 'truck', 'bus', 'van'].map((n) => unifiedClassId('ir', n)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // The same spelling is never a class of another modality: SAR ship is not DOTA Ship.
    expect(unifiedClassId('rgb', 'Ship')).toBe(unifiedClassId('rgb', 'ship'));
    expect(unifiedClassId('sar', 'Ship')).toBe(-1);
    expect(unifiedClassId('ir', 'FERIGHT_CAR')).toBe(unifiedClassId('ir', 'freight_car'));
  });

  it('finds images whatever the case of their extension (P1888.PNG, x.JPG), preferring the exact one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soi-det-case-'));
    try {
      buildDataset(dir);
      const img = path.join(dir, 'rgb/images/train');
      fs.renameSync(path.join(img, 'P1888.png'), path.join(img, 'P1888.PNG'));
      const r = await loadSoiDet(dir, { modalities: ['rgb'] });
      expect(r.samples.map((s) => path.basename(s.imagePath))).toEqual(['P1888.PNG']);
      expect([r.samples[0].width, r.samples[0].height]).toEqual([712, 557]);
      fs.copyFileSync(path.join(img, 'P1888.PNG'), path.join(img, 'P1888.png'));
      fs.writeFileSync(path.join(img, 'P1888.JPG'), 'not used');
      expect((await loadSoiDet(dir, { modalities: ['rgb'] })).samples.map((s) => path.basename(s.imagePath))).toEqual(['P1888.png']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('minObbSide drops slivers like mmrotate (side < 2 px), with a notice; default keeps them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soi-det-thin-'));
    try {
      buildDataset(dir);
      // A 40 × 1.5 px sliver (a tile-border leftover) and a 3 × 3 px car.
      fs.appendFileSync(path.join(dir, 'rgb/labelTxt/train/P1888.txt'), '10 10 50 10 50 11.5 10 11.5 large-vehicle 2\r\n20 20 23 20 23 23 20 23 small-vehicle 0\r\n');
      const all = await loadSoiDet(dir, { modalities: ['rgb'] });
      expect(all.samples[0].labels).toHaveLength(66);
      const r = await loadSoiDet(dir, { modalities: ['rgb'], minObbSide: 2 });
      const s = r.samples[0];
      expect(s.labels).toHaveLength(65);
      expect(s.boxes).toHaveLength(65 * 5);
      expect(Array.from(s.boxes.subarray(64 * 5, 64 * 5 + 4))).toEqual([21.5, 21.5, 3, 3]);
      expect(s.labels[64]).toBe(unifiedClassId('rgb', 'small-vehicle'));
      expect(Array.from(s.boxes.subarray(0, 64 * 5))).toEqual(Array.from(all.samples[0].boxes.subarray(0, 64 * 5)));
      expect(r.notices.filter((n) => n.includes('minObbSide'))).toEqual([`${path.join(dir, 'rgb/labelTxt/train/P1888.txt')}: 1 object(s) with a side < 2 px dropped (minObbSide, as mmrotate's DOTADataset)`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a missing image, or skips that sample in lenient mode', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soi-det-missing-'));
    buildDataset(dir);
    fs.rmSync(path.join(dir, 'sar/images/train/000001.jpg'));
    fs.rmSync(path.join(dir, 'rgb/images/train/P1888.png'));
    const e = await loadSoiDet(dir, { modalities: ['sar'] }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as DatasetError).field).toBe('images[0].file_name');
    expect((e as DatasetError).message).toMatch(/image file not found: .*sar\/images\/train\/000001\.jpg/);
    await expect(loadSoiDet(dir, { modalities: ['rgb'] })).rejects.toThrow(/P1888\.txt: image not found for this label file: looked for P1888\.png, P1888\.jpg/);
    fs.writeFileSync(path.join(dir, 'ir/images/val/0_80_70_0_07057.jpg'), 'not a jpeg');
    await expect(loadSoiDet(dir, { modalities: ['ir'] })).rejects.toThrow(/0_80_70_0_07057\.jpg: cannot read image header/);
    const lenient = await loadSoiDet(dir, { lenient: true });
    expect(lenient.counts).toEqual({ 'sar/train': 1, 'rgb/train': 0, 'ir/val': 1 });
    expect(lenient.skipped.map((s) => path.basename(s.file))).toEqual(['train.json', 'P1888.txt', '0_80_70_0_07057.jpg']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a modality folder with images but no labels is an error (it used to be dropped without a word)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soi-det-nolabels-'));
    buildDataset(dir);
    fs.rmSync(path.join(dir, 'ir/labelTxt'), { recursive: true });
    const e = await loadSoiDet(dir).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as DatasetError).file).toBe(path.join(dir, 'ir/labelTxt/val'));
    expect((e as DatasetError).reason).toBe('not found, but ir/images/val holds 2 image(s): labels missing for ir/val');
    fs.rmSync(path.join(dir, 'sar/annotations'), { recursive: true });
    const lenient = await loadSoiDet(dir, { lenient: true });
    expect(lenient.counts).toEqual({ 'rgb/train': 1 });
    expect(lenient.skipped.map((s) => path.relative(dir, s.file))).toEqual(['sar/annotations/train.json', 'ir/labelTxt/val']);
    // A split with neither images nor labels is simply absent.
    expect((await loadSoiDet(dir, { modalities: ['rgb'], splits: ['train', 'test'] })).counts).toEqual({ 'rgb/train': 1 });
    await expect(loadSoiDet(path.join(dir, 'nope'))).rejects.toThrow(/nope: dataset root not found/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rejects an unknown class naming file and line, or skips that object in lenient mode', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soi-det-class-'));
    buildDataset(dir);
    const label = path.join(dir, 'rgb/labelTxt/train/P1888.txt');
    fs.appendFileSync(label, '1 1 5 1 5 5 1 5 ship_SAR 0\r\n');
    await expect(loadSoiDet(dir, { modalities: ['rgb'] })).rejects.toThrow(/P1888\.txt line 67: unknown class "ship_SAR"/);
    const lenient = await loadSoiDet(dir, { modalities: ['rgb'], lenient: true });
    expect(lenient.samples[0].labels.length).toBe(64);
    expect(lenient.skipped).toHaveLength(1);
    expect(lenient.skipped[0]).toMatchObject({ line: 67 });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a SAR category that is not a SAR class', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soi-det-cat-'));
    buildDataset(dir);
    const file = path.join(dir, 'sar/annotations/train.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    json.categories[0].name = 'Ship';
    fs.writeFileSync(file, JSON.stringify(json));
    await expect(loadSoiDet(dir, { modalities: ['sar'] })).rejects.toThrow(/categories\[0\]\.name: unknown class "Ship" used by 4 annotation\(s\) \(expected one of: ship, aircraft/);
    // Lenient: every dropped annotation is its own skipped record (4 here), the images stay.
    const lenient = await loadSoiDet(dir, { modalities: ['sar'], lenient: true });
    expect(lenient.skipped.map((r) => r.field)).toEqual([1, 2, 3, 4].map((id) => `annotation id ${id} (categories[0].name)`));
    expect(lenient.samples.map((x) => x.labels.length)).toEqual([0, 0]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
