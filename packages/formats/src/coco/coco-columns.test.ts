// readCocoJsonColumns: the byte-level path against readCocoJson (the general path) — the same
// columns on valid files, and on anything else the general path's result or error.
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../errors.js';
import { SAMPLES } from '../testing/test-support.js';
import { readCocoJson } from './coco-json.js';
import { readCocoJsonColumns, readPlainCocoColumns, toColumns } from './coco-columns.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'formats-columns-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const write = (text: string | Buffer): string => {
  const file = path.join(tmp, `c${n++}.json`);
  fs.writeFileSync(file, text);
  return file;
};

/** Columns as plain arrays (Object.is-comparable), or the FormatError message. */
function outcome(fn: () => ReturnType<typeof readCocoJsonColumns>): unknown {
  try {
    const c = fn();
    const a = c.annotations;
    return {
      images: c.images,
      categories: c.categories,
      variant: c.variant,
      notices: c.notices,
      skipped: c.skipped,
      annotations: { count: a.count, cols: [a.id, a.imageId, a.categoryId, a.bbox, a.area, a.iscrowd, a.ignore].map((x) => Array.from(x)) },
    };
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    return { error: err.message };
  }
}

const plain = {
  info: { description: 'synthetic', year: 2026, nested: [1, { a: null, b: true, c: 'x\\"y\\u00e9' }] },
  images: [
    { id: 2, file_name: 'b.png', width: 800, height: 600, license: 1 },
    { id: 1, file_name: 'é/a.png' },
  ],
  categories: [
    { id: 1, name: 'ship', supercategory: 'vessel' },
    { id: 3, name: 'plane', supercategory: 7 },
  ],
  annotations: [
    { id: 10, image_id: 1, category_id: 3, bbox: [1.5, 2, 30.25, 4e1], area: 100, iscrowd: 0, segmentation: [[1, 2, 3, 4]] },
    { id: 11, image_id: 2, category_id: 1, bbox: [0, 0, 0, 5], iscrowd: 1, ignore: 1 },
    { id: 12, image_id: 2, category_id: 1, bbox: [-3, 1e-3, 7, 9], ignore: 0 },
  ],
};

describe('readCocoJsonColumns', () => {
  it('reads a plain file from bytes: the same columns as readCocoJson (compact and indented)', () => {
    for (const text of [JSON.stringify(plain), JSON.stringify(plain, null, 2), '\ufeff' + JSON.stringify(plain)]) {
      const file = write(text);
      expect(readPlainCocoColumns(file, { imageSize: 'optional' })).toBeDefined();
      const fast = outcome(() => readCocoJsonColumns(file, { imageSize: 'optional' }));
      expect(fast).toEqual(outcome(() => toColumns(readCocoJson(file, { imageSize: 'optional' }))));
      expect((fast as { annotations: { cols: number[][] } }).annotations.cols[4]).toEqual([100, 0, 63]); // area given, w·h = 0, w·h = 63
    }
  });

  it('leaves variants, missing sizes and invalid entries to readCocoJson (same notices and errors)', () => {
    const cases: [string, (d: typeof plain) => unknown][] = [
      ['width required', (d) => d],
      ['duplicate image id', (d) => ({ ...d, images: [...d.images, { id: 1, file_name: 'c.png' }] })],
      ['unresolved image', (d) => ({ ...d, annotations: [...d.annotations, { id: 13, image_id: 9, category_id: 1, bbox: [0, 0, 1, 1] }] })],
      ['duplicate annotation id', (d) => ({ ...d, annotations: [...d.annotations, { id: 10, image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] }] })],
      ['negative width', (d) => ({ ...d, annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, -1, 1] }] })],
      ['iscrowd 2', (d) => ({ ...d, annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], iscrowd: 2 }] })],
      ['string id', (d) => ({ ...d, images: [{ id: '1', file_name: 'a.png' }] })],
      ['0-based categories', (d) => ({ ...d, categories: [{ id: 0, name: 'ship' }, ...d.categories] })],
      ['annotation key', (d) => ({ images: d.images, categories: d.categories, annotation: d.annotations })],
      ['filename key', (d) => ({ ...d, images: [{ id: 1, filename: 'a.png' }, { id: 2, filename: 'b.png' }] })],
      ['duplicate name', (d) => ({ ...d, categories: [{ id: 1, name: 'ship' }, { id: 3, name: 'ship' }] })],
      ['escaped name', (d) => ({ ...d, categories: [{ id: 1, name: 'sh"ip' }, { id: 3, name: 'plane' }] })],
      ['no annotations', (d) => ({ images: d.images, categories: d.categories })],
      ['big id', (d) => ({ ...d, images: [{ id: 2 ** 53 + 2, file_name: 'a.png' }] })],
    ];
    for (const [what, edit] of cases) {
      const file = write(JSON.stringify(edit(plain)));
      const imageSize = what === 'width required' ? 'required' : 'optional';
      expect(readPlainCocoColumns(file, { imageSize }), what).toBeUndefined();
      expect(outcome(() => readCocoJsonColumns(file, { imageSize })), what).toEqual(outcome(() => toColumns(readCocoJson(file, { imageSize }))));
    }
  });

  it('on mutated bytes, gives what readCocoJson gives (values or the same error)', () => {
    // indented, and compact without extra keys (the entries the compact loop reads)
    const compact = { ...plain, info: undefined, annotations: plain.annotations.map(({ segmentation: _, ...a }: { segmentation?: unknown }) => a) };
    for (const text of [Buffer.from(JSON.stringify(plain, null, 1)), Buffer.from(JSON.stringify(compact))]) mutate(text);
  });

  function mutate(text: Buffer): void {
    const mutation = fc.tuple(fc.nat(text.length - 1), fc.constantFrom(...Buffer.from(' {}[],:"\\0159.-eE+nullx\n\u00ff')));
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), (muts, del) => {
        let bytes = Buffer.from(text);
        for (const [at, b] of muts) bytes = del ? Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]) : Buffer.concat([bytes.subarray(0, at), Buffer.from([b]), bytes.subarray(at + 1)]);
        const file = write(bytes);
        expect(outcome(() => readCocoJsonColumns(file, { imageSize: 'optional' }))).toEqual(outcome(() => toColumns(readCocoJson(file, { imageSize: 'optional' }))));
      }),
      { numRuns: 800, seed: 9 },
    );
  }

  it('reads the HIT-UAV variant through readCocoJson, with its notice', () => {
    const file = path.join(SAMPLES, 'ir/hit-uav/coco/test_subset.json');
    const c = readCocoJsonColumns(file);
    expect(c.variant.annotationsKey).toBe('annotation');
    expect(c.notices).toHaveLength(1);
    expect(c.annotations.count).toBe(readCocoJson(file).annotations.length);
  });
});
