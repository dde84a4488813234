import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, SAMPLES, errorOf } from '../testing/test-support.js';
import { parseCocoJson, readCocoJson } from './coco-json.js';
import { readVocXml } from '../voc/voc-xml.js';
import { writeCocoJson } from './write-coco-json.js';

const HIT_UAV = path.join(SAMPLES, 'ir/hit-uav');
const HIT_JSON = path.join(HIT_UAV, 'coco/test_subset.json');

describe('readCocoJson on HIT-UAV COCO-like JSON', () => {
  it('reads `annotation`, `filename` and 0-based category ids with one notice', () => {
    const ds = readCocoJson(HIT_JSON);
    expect(ds.variant).toEqual({ annotationsKey: 'annotation', fileNameKey: 'filename', zeroBasedCategoryIds: true });
    expect(ds.notices).toHaveLength(1);
    expect(ds.notices[0]).toMatch(/"annotation" instead of "annotations".*"filename" instead of "file_name".*category ids start at 0/);
    expect(ds.images.map((i) => i.fileName)).toEqual(['0_80_70_0_07057.jpg', '1_90_40_0_04880.jpg']);
    expect(ds.categories.map((c) => `${c.id}:${c.name}`)).toEqual(['0:Person', '1:Car', '2:Bicycle', '3:OtherVehicle', '4:DontCare']);
    expect(ds.annotations[0]).toEqual({ id: 20108, imageId: 2321, categoryId: 1, bbox: [281, 413, 119, 55], area: 6545, iscrowd: 0 });
  });

  it('gives the same boxes and classes as the xml_hbb files of the same images', () => {
    const ds = readCocoJson(HIT_JSON);
    const catName = new Map(ds.categories.map((c) => [c.id, c.name]));
    for (const im of ds.images) {
      const xml = readVocXml(path.join(HIT_UAV, 'xml_hbb', im.fileName.replace('.jpg', '.xml')));
      const fromJson = ds.annotations
        .filter((a) => a.imageId === im.id)
        .map((a) => [catName.get(a.categoryId), a.bbox[0], a.bbox[1], a.bbox[0] + a.bbox[2], a.bbox[1] + a.bbox[3]]);
      const fromXml = xml.objects.map((o) => [o.name, ...(o.geometry.kind === 'bndbox' ? o.geometry.xyxy : [])]);
      expect(fromJson.length).toBeGreaterThan(0);
      expect(fromJson).toEqual(fromXml);
      expect([xml.width, xml.height]).toEqual([im.width, im.height]);
    }
  });

  it('rejects the variant in reject mode, saying exactly what differs', () => {
    const e = errorOf(() => readCocoJson(HIT_JSON, { variants: 'reject' }));
    expect(e.message).toBe(
      `${HIT_JSON}: COCO-like variant, not COCO instances JSON: top-level key "annotation" instead of "annotations"; images use "filename" instead of "file_name"; category ids start at 0 (COCO starts at 1)`,
    );
  });
});

describe('readCocoJson errors', () => {
  const broken = path.join(FIXTURES, 'broken/coco-unresolved-image.json');

  it('names the field of an unresolved image id', () => {
    const e = errorOf(() => readCocoJson(broken));
    expect(e.field).toBe('annotations[1].image_id');
    expect(e.message).toMatch(/annotations\[1\]\.image_id: image id 7 does not resolve/);
  });

  it('lenient mode keeps good annotations and reports each bad one', () => {
    const ds = readCocoJson(broken, { lenient: true });
    expect(ds.annotations.map((a) => a.id)).toEqual([1]);
    expect(ds.skipped.map((s) => s.field)).toEqual(['annotations[1].image_id', 'annotations[2].category_id', 'annotations[3].bbox[2]']);
    expect(ds.skipped[2].reason).toBe('width must be a finite number, got "x"');
  });

  it('names missing keys, bad JSON, duplicate ids and bad image sizes', () => {
    expect(errorOf(() => parseCocoJson('{"images": []}', 'a.json')).message).toBe('a.json annotations: missing top-level "annotations" array: not a COCO ground-truth file? (top-level keys: "images")');
    expect(errorOf(() => parseCocoJson('{"images": [', 'b.json')).reason).toMatch(/^invalid JSON/);
    const dup = '{"images":[{"id":1,"file_name":"a","width":1,"height":1},{"id":1,"file_name":"b","width":1,"height":1}],"categories":[],"annotations":[]}';
    expect(errorOf(() => parseCocoJson(dup, 'c.json')).field).toBe('images[1].id');
    const size = '{"images":[{"id":1,"file_name":"a","width":0,"height":1}],"categories":[],"annotations":[]}';
    expect(errorOf(() => parseCocoJson(size, 'd.json')).message).toMatch(/images\[0\]\.width: width must be > 0, got 0/);
    expect(parseCocoJson('\ufeff{"images":[],"categories":[],"annotations":[]}', 'bom.json').images).toEqual([]);
    const mixed = '{"images":[{"id":1,"file_name":"a","width":1,"height":1},{"id":2,"filename":"b","width":1,"height":1}],"categories":[],"annotations":[]}';
    expect(errorOf(() => parseCocoJson(mixed, 'm.json')).message).toBe(
      'm.json images[1].file_name: missing (expected "file_name" (string)) (this entry has "filename"; images[0] uses "file_name", and one file must use one spelling)',
    );
    const noCats = '{"images":[],"annotations":[]}';
    expect(errorOf(() => parseCocoJson(noCats, 'e.json')).field).toBe('categories');
  });
});

describe('writeCocoJson', () => {
  it('writes standard COCO that reads back without notices', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coco-w-'));
    const file = path.join(dir, 'ann', 'train.json');
    const ds = readCocoJson(HIT_JSON);
    writeCocoJson(file, ds);
    const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.keys(raw)).toEqual(['images', 'categories', 'annotations']);
    expect(raw.images[0].file_name).toBe('0_80_70_0_07057.jpg');
    const back = readCocoJson(file);
    // Only the 0-based category ids remain a (legal) difference: ids are written as they are.
    expect(back.variant).toEqual({ annotationsKey: 'annotations', fileNameKey: 'file_name', zeroBasedCategoryIds: true });
    expect(back.annotations).toEqual(ds.annotations);
    expect(back.images).toEqual(ds.images);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['train.json']);
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses annotations whose ids do not resolve', () => {
    expect(() =>
      writeCocoJson(path.join(os.tmpdir(), 'never.json'), { images: [], categories: [{ id: 1, name: 'ship' }], annotations: [{ id: 1, imageId: 3, categoryId: 1, bbox: [0, 0, 1, 1] }] }),
    ).toThrow(/annotations\[0\]\.imageId 3 is not in images/);
  });
});
