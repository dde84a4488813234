// The COCO rules issue 15 found taken at face value, each one now a FormatError naming the
// file and the JSON path; and the streamed path (large files) reading exactly what JSON.parse reads.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorOf } from '../testing/test-support.js';
import { parseCocoJson, readCocoJson } from './coco-json.js';
import { readCocoResults, scanCocoResults } from './coco-results.js';
import { writeCocoJson, writeCocoResults } from './write-coco-json.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'formats-coco-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const base = () => ({
  images: [{ id: 1, file_name: 'a.png', width: 10, height: 10 }],
  categories: [{ id: 1, name: 'ship' }, { id: 2, name: 'car' }],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 4, 5], area: 20, iscrowd: 0 },
    { id: 2, image_id: 1, category_id: 2, bbox: [1, 1, 2, 2], area: 4, iscrowd: 1 },
  ],
});

function bad(mutate: (j: ReturnType<typeof base>) => void): string {
  const j = base();
  mutate(j);
  return errorOf(() => parseCocoJson(JSON.stringify(j), 'gt.json')).message;
}

describe('COCO ground truth validation (zod schemas)', () => {
  it('iscrowd must be 0 or 1 (2 or "no" used to read as not crowd)', () => {
    expect(bad((j) => ((j.annotations[1] as Record<string, unknown>).iscrowd = 2))).toBe('gt.json annotations[1].iscrowd: iscrowd must be 0 or 1, got 2');
    expect(bad((j) => ((j.annotations[1] as Record<string, unknown>).iscrowd = 'no'))).toBe('gt.json annotations[1].iscrowd: iscrowd must be 0 or 1, got "no"');
  });

  it('area ≥ 0 and bbox w, h ≥ 0', () => {
    expect(bad((j) => (j.annotations[0].area = -20))).toBe('gt.json annotations[0].area: area must be ≥ 0 (a negative area falls in no COCO area range), got -20');
    expect(bad((j) => (j.annotations[0].bbox = [0, 0, -4, 5]))).toBe('gt.json annotations[0].bbox[2]: width must be ≥ 0 (bbox is [x, y, w, h]), got -4');
  });

  it('ids must be safe integers: above 2^53 they would be silently rounded', () => {
    const text = JSON.stringify(base()).replace('"id":2,"image_id"', '"id":9007199254740993,"image_id"');
    expect(errorOf(() => parseCocoJson(text, 'gt.json')).message).toMatch(/^gt\.json annotations\[1\]\.id: expected a safe integer id/);
    expect(bad((j) => ((j.images[0] as Record<string, unknown>).id = 1.5))).toMatch(/^gt\.json images\[0\]\.id: expected a safe integer id/);
  });

  it('category names must be non-empty and unique; ids unique', () => {
    expect(bad((j) => (j.categories[1].name = ''))).toBe('gt.json categories[1].name: category name must not be empty, got ""');
    expect(bad((j) => (j.categories[1].name = 'ship'))).toMatch(/^gt\.json categories\[1\]\.name: duplicate category name "ship"/);
    expect(bad((j) => (j.categories[1].id = 1))).toBe('gt.json categories[1].id: duplicate category id 1');
    expect(bad((j) => (j.annotations[1].id = 1))).toBe('gt.json annotations[1].id: duplicate annotation id 1 (also annotations[0])');
  });

  it('a bad top level names the key', () => {
    expect(errorOf(() => parseCocoJson('[]', 'gt.json')).message).toBe('gt.json: expected a JSON object at the top level, got array');
    expect(errorOf(() => parseCocoJson('{"images": 3, "categories": [], "annotations": []}', 'gt.json')).message).toBe('gt.json images: expected an array, got number');
  });
});

describe('streamed reading (files above streamAboveBytes) = JSON.parse reading', () => {
  it('reads the same GT, in any key order, with references checked at the end', () => {
    const j = base();
    const reordered = { annotations: j.annotations, categories: j.categories, info: { x: [1, { y: 2 }] }, images: j.images };
    const file = path.join(tmp, 'gt-stream.json');
    fs.writeFileSync(file, JSON.stringify(reordered, null, 1));
    const parsed = readCocoJson(file);
    const streamed = readCocoJson(file, { streamAboveBytes: 0 });
    expect(streamed).toEqual(parsed);
    expect(streamed.annotations.map((a) => [a.id, a.iscrowd])).toEqual([[1, 0], [2, 1]]);
  });

  it('names file and JSON path of a bad entry and of bad JSON when streamed', () => {
    const file = path.join(tmp, 'gt-bad-stream.json');
    const j = base();
    (j.annotations[1] as Record<string, unknown>).area = -1;
    fs.writeFileSync(file, JSON.stringify(j));
    expect(errorOf(() => readCocoJson(file, { streamAboveBytes: 0 })).message).toMatch(/gt-bad-stream\.json annotations\[1\]\.area: area must be ≥ 0/);
    fs.writeFileSync(file, JSON.stringify(j).slice(0, 80));
    expect(errorOf(() => readCocoJson(file, { streamAboveBytes: 0 })).message).toMatch(/gt-bad-stream\.json: invalid JSON/);
    fs.writeFileSync(file, '{"images": [], "categories": [], "annotations": [{"id": NaN}]}');
    expect(errorOf(() => readCocoJson(file, { streamAboveBytes: 0 })).message).toMatch(/invalid JSON near byte 56/);
  });

  it('streams results entry by entry; both paths agree; a results file must be an array', () => {
    const file = path.join(tmp, 'dets.json');
    const results = Array.from({ length: 500 }, (_, i) => ({ imageId: 1 + (i % 7), categoryId: 1 + (i % 2), bbox: [i, i / 2, 3.5, 4] as [number, number, number, number], score: 1 - i / 1000 }));
    writeCocoResults(file, results);
    expect(readCocoResults(file)).toEqual(results);
    expect(readCocoResults(file, { streamAboveBytes: 0 })).toEqual(results);
    fs.writeFileSync(file, '{"a": 1}');
    expect(errorOf(() => scanCocoResults(file, () => {}, { streamAboveBytes: 0 })).message).toBe(`${file}: expected a JSON array at the top level, got object`);
    fs.writeFileSync(file, '[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": "0.5"}]');
    expect(errorOf(() => scanCocoResults(file, () => {})).message).toBe(`${file} [0].score: score must be a finite number, got "0.5"`);
  });

  it('writes what it reads (writer output passes the reader schemas)', () => {
    const file = path.join(tmp, 'written.json');
    const gt = parseCocoJson(JSON.stringify(base()), 'x.json');
    writeCocoJson(file, gt);
    const back = readCocoJson(file);
    expect(back.annotations).toEqual(gt.annotations);
    expect(() => writeCocoJson(file, { ...gt, annotations: [{ ...gt.annotations[0], area: -1 }] })).toThrow(/annotations\[0\]\.area: area must be ≥ 0/);
  });
});
