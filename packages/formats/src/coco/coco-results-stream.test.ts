import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../errors.js';
import { scanCocoResultFields, scanCocoResults, type CocoResult } from './coco-results.js';
import { streamCocoResults } from './coco-results-stream.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'formats-results-stream-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let k = 0;

type Outcome = { ok: true; rows: [number, CocoResult][] } | { ok: false; field?: string; message: string };

function outcome(fn: (visit: (r: CocoResult, i: number) => void) => void): Outcome {
  const rows: [number, CocoResult][] = [];
  try {
    fn((r, i) => rows.push([i, r]));
    return { ok: true, rows };
  } catch (err) {
    if (!(err instanceof FormatError)) throw err; // a TypeError/RangeError is a bug
    return { ok: false, field: err.field, message: err.message };
  }
}

/** Reads `text` both ways: JSON.parse + zod (the reference) and the byte-level stream reader. */
function both(text: string | Buffer): { parsed: Outcome; streamed: Outcome } {
  const file = path.join(tmp, `r${k++}.json`);
  fs.writeFileSync(file, text);
  const parsed = outcome((v) => scanCocoResults(file, v, { streamAboveBytes: Infinity }));
  const streamed = outcome((v) => streamCocoResults(file, v));
  return { parsed, streamed };
}

/** Same values bit for bit (Object.is: -0 and 0 differ). */
function expectSame(a: Outcome, b: Outcome): void {
  expect(b.ok).toBe(a.ok);
  if (a.ok && b.ok) {
    expect(b.rows.length).toBe(a.rows.length);
    const flat = (o: Outcome): number[] => (o.ok ? o.rows.flatMap(([i, r]) => [i, r.imageId, r.categoryId, r.score, ...r.bbox]) : []);
    const fa = flat(a);
    const fb = flat(b);
    const bad = fa.findIndex((v, q) => !Object.is(v, fb[q]));
    expect(bad, bad >= 0 ? `value ${bad}: ${fa[bad]} vs ${fb[bad]}` : '').toBe(-1);
  }
  // Errors: the same entry (JSON path) whenever the reference names one.
  if (!a.ok && !b.ok && a.field?.startsWith('[')) expect(b.field).toBe(a.field);
}

/** Number spellings: JSON.stringify of random doubles, and decimal strings of many digit counts. */
const numberText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => JSON.stringify(v)),
  fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 20 }), fc.option(fc.integer({ min: -330, max: 330 }))).map(([neg, m, dot, e]) => {
    let s = m.toString();
    if (dot > 0) s = dot >= s.length ? `0.${s.padStart(dot, '0')}` : `${s.slice(0, s.length - dot)}.${s.slice(s.length - dot)}`;
    return `${neg ? '-' : ''}${s}${e === null ? '' : `e${e}`}`;
  }),
  fc.constantFrom('0', '-0', '-0.0', '1e400', '-1e400', '1E+2', '2.5e-324', '9007199254740993', '4.35', '0.1', '123.456'),
);

const entryText = fc.record({ img: fc.oneof(fc.nat(1e6).map(String), numberText), cat: fc.oneof(fc.nat(100).map(String), numberText), box: fc.array(numberText, { minLength: 4, maxLength: 4 }), score: numberText, ws: fc.constantFrom('', ' ', '\n  ') }).map(
  ({ img, cat, box, score, ws }) => `{${ws}"image_id":${ws}${img},"category_id":${cat},${ws}"bbox":[${box.join(`,${ws}`)}],"score":${score}${ws}}`,
);

describe('streamCocoResults (byte-level reader of big results files)', () => {
  it('reads exactly what JSON.parse + the zod schema read (numbers bit for bit, errors at the same entry)', () => {
    fc.assert(
      fc.property(fc.array(entryText, { maxLength: 12 }), fc.constantFrom(',', ' ,\n'), (entries, sep) => {
        const { parsed, streamed } = both(`[${entries.join(sep)}]`);
        expectSame(parsed, streamed);
      }),
      { numRuns: 400, seed: 5 },
    );
  });

  it('falls back per entry for other shapes: extra keys, escapes, key order, repeated keys', () => {
    const text = JSON.stringify([
      { image_id: 1, category_id: 2, bbox: [1, 2, 3, 4], score: 0.5 },
      { score: 0.25, bbox: [1.5, 2, 3, 4], category_id: 2, image_id: 3, extra: { nested: [1, '],}'] } },
    ]).replace('"image_id":3', '"\\u0069mage_id":3') + '\n';
    const { parsed, streamed } = both(text.replace('"score":0.5', '"score":0.1,"score":0.5'));
    expect(parsed.ok).toBe(true);
    expectSame(parsed, streamed);
  });

  it('mutated files (cut, bytes changed) fail or read the same as JSON.parse, never with another error type', () => {
    const base = Buffer.from(JSON.stringify(Array.from({ length: 30 }, (_, i) => ({ image_id: i, category_id: 1 + (i % 3), bbox: [i * 1.5, 2, 3.25, 4], score: i / 30 }))));
    fc.assert(
      fc.property(fc.nat(base.length), fc.nat(255), fc.boolean(), (at, byte, cut) => {
        const bytes = cut ? base.subarray(0, at) : Buffer.from(base);
        if (!cut) bytes[Math.min(at, bytes.length - 1)] = byte;
        const { parsed, streamed } = both(bytes);
        expectSame(parsed, streamed);
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it('reads entries across buffer refills and names the place of structural errors', () => {
    const rows = Array.from({ length: 30000 }, (_, i) => ({ image_id: i, category_id: 1, bbox: [i / 7, 1e-7 * i, 12.5, 0], score: 1 / (i + 1) }));
    const text = JSON.stringify(rows, null, 2);
    expect(text.length).toBeGreaterThan(4.5 * 2 ** 20); // more than one 4 MiB read
    const { parsed, streamed } = both(text);
    expect(parsed.ok && parsed.rows.length).toBe(30000);
    expectSame(parsed, streamed);
    const fail = (text: string): string => {
      const r = both(text).streamed;
      return r.ok ? 'ok' : r.message.replace(/^.*?\.json/, '');
    };
    expect(fail('')).toBe(': empty file: expected JSON');
    expect(fail('{"a": 1}')).toBe(': expected a JSON array at the top level, got object');
    expect(fail('[{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":1}] x')).toBe(': invalid JSON near byte 60: data after the end of the top-level array');
    expect(fail('[{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":1},,')).toBe(' [1]: invalid JSON near byte 59: empty entry (two commas, or a comma before "]")');
    expect(fail('[{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":1}')).toMatch(/^: invalid JSON: the file ends inside the top-level array/);
    expect(fail('[{"image_id":1,"category_id":1,"bbox":[0,0,-1,1],"score":1}]')).toMatch(/^ \[0\]\.bbox\[2\]: width must be ≥ 0/);
  });

  it('scanCocoResultFields hands over the same fields as scanCocoResults, parsed and streamed', () => {
    const text = JSON.stringify([{ image_id: 3, category_id: 2, bbox: [1.5, -2, 3, 4e-3], score: 0.25 }, { score: 1, bbox: [0, 0, 0, 0], image_id: 4, category_id: 1, extra: '\u00e9' }]);
    const file = path.join(tmp, `fields${k++}.json`);
    fs.writeFileSync(file, text);
    for (const streamAboveBytes of [Infinity, 0]) {
      const objects: number[][] = [];
      scanCocoResults(file, (r, i) => objects.push([r.imageId, r.categoryId, ...r.bbox, r.score, i]), { streamAboveBytes });
      const fields: number[][] = [];
      expect(scanCocoResultFields(file, (f, i) => fields.push([f.imageId, f.categoryId, f.x, f.y, f.w, f.h, f.score, i]), { streamAboveBytes })).toBe(2);
      expect(fields).toEqual(objects);
      expect(fields[0]).toEqual([3, 2, 1.5, -2, 3, 4e-3, 0.25, 0]);
    }
  });
});
