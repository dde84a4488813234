import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorOf } from '../testing/test-support.js';
import { streamJsonArray } from './json-array-stream.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'formats-array-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let k = 0;
function read(text: string | Uint8Array): unknown[] {
  const file = path.join(tmp, `a${k++}.json`);
  fs.writeFileSync(file, text);
  const out: unknown[] = [];
  expect(streamJsonArray(file, (v, i) => out.push([i, v]))).toBe(out.length);
  return out.map((p) => (p as [number, unknown])[1]);
}
const fail = (text: string): string => {
  const file = path.join(tmp, `e${k++}.json`);
  fs.writeFileSync(file, text);
  return errorOf(() => streamJsonArray(file, () => {})).message.slice(file.length);
};

describe('streamJsonArray (byte scanner + batched JSON.parse)', () => {
  it('reads what JSON.parse reads: strings with brackets, commas and escapes, nesting, unicode, BOM', () => {
    const values = [{ a: 'x,]}["\\"' }, [1, [2, { b: null }]], 'é€😀', -1.5e-3, true, null, { s: '\\\\' }];
    const text = JSON.stringify(values, null, 2);
    expect(read(text)).toEqual(JSON.parse(text));
    expect(read('\ufeff' + text)).toEqual(JSON.parse(text));
    expect(read('[]')).toEqual([]);
    expect(read(' [ \n ] \n')).toEqual([]);
  });

  it('reads elements split across 1 MiB chunks and many batches', () => {
    const values = Array.from({ length: 60000 }, (_, i) => ({ image_id: i, bbox: [i, i / 3, 2, 2], name: 'x'.repeat(i % 40) }));
    const text = JSON.stringify(values);
    expect(text.length).toBeGreaterThan(3 << 20);
    expect(read(text)).toEqual(values);
  });

  it('errors name the file and the place', () => {
    expect(fail('{"a": 1}')).toBe(': expected a JSON array at the top level, got object');
    expect(fail('[1, 2')).toMatch(/^: invalid JSON: the file ends inside the top-level array/);
    expect(fail('[1, 2] x')).toBe(': invalid JSON near byte 7: data after the end of the top-level array');
    expect(fail('[1,,2]')).toBe(' [1]: invalid JSON near byte 3: empty entry (two commas, or a comma before "]")');
    expect(fail('[1, {"a": NaN}]')).toMatch(/^ \[1\]: invalid JSON in the entry starting at byte 3: /);
    expect(fail('')).toBe(': empty file: expected JSON');
    expect(fail('[1}')).toBe(': invalid JSON near byte 2: "}" closes the top-level array');
  });
});
