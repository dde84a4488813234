// The readers' fast paths (spans of decoded chunks, numbers scanned in place, COCO instances
// read from bytes) against the general paths they stand in for: the same values bit for bit,
// and for every line or file the fast path does not take, the general path's result or error.
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from './errors.js';
import { parseDecimal, scanDecimalField, scannedField } from './number-grammar.js';
import { forEachLine, forEachLineOfText, forEachLineSpan } from './text-lines.js';
import { parseDotaTxt, readDotaTxt } from './dota/dota-txt.js';
import { scanTask1Txt, task1Line, task1LineFast } from './dota/task1-txt.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'formats-fast-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const write = (text: string): string => {
  const file = path.join(tmp, `f${n++}.txt`);
  fs.writeFileSync(file, text);
  return file;
};

/** The thrown FormatError's message, or the value. */
function outcome<T>(fn: () => T): { value?: T; error?: string } {
  try {
    return { value: fn() };
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    return { error: err.message };
  }
}

const same = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/** Number-like fields: digits of every length, signs, dots, exponents, and near misses. */
const field = fc.oneof(
  fc.array(fc.constantFrom('0', '1', '5', '9', '.', 'e', 'E', '+', '-', 'x', '\t', '\u00a0', '_'), { maxLength: 12 }).map((a) => a.join('')),
  fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 19n }), fc.integer({ min: 0, max: 19 }), fc.option(fc.integer({ min: -330, max: 330 }))).map(([neg, m, dot, e]) => {
    let s = m.toString();
    if (dot > 0) s = dot >= s.length ? `0.${s.padStart(dot, '0')}` : `${s.slice(0, s.length - dot)}.${s.slice(s.length - dot)}`;
    return `${neg ? '-' : ''}${s}${e === null ? '' : `e${e}`}`;
  }),
  fc.double({ noNaN: true }).map(String),
  fc.constantFrom('0', '-0', '+0', '5.', '.5', '0.1', '1e999', '4.35', '123.456', '9007199254740993', '00012.50', '1e', '.'),
);

describe('scanDecimalField', () => {
  it('is parseDecimal of the field up to the next space, bit for bit (-0 included)', () => {
    fc.assert(
      fc.property(field, fc.constantFrom('', ' rest', ' '), (f, tail) => {
        const text = `ab ${f}${tail}`;
        const v = scanDecimalField(text, 3, text.length);
        const want = f.includes(' ') ? Number.NaN : parseDecimal(f);
        expect(same(v, want), `${JSON.stringify(f)}: ${v} vs ${want}`).toBe(true);
        if (!Number.isNaN(v)) expect(scannedField.end).toBe(3 + f.length);
      }),
      { numRuns: 5000, seed: 11 },
    );
  });
});

describe('line spans', () => {
  it('forEachLineSpan gives the lines forEachLine and forEachLineOfText give, across 64 KiB chunks', () => {
    const piece = fc.tuple(fc.string({ maxLength: 40 }), fc.constantFrom('\n', '\r\n', '\r', '')).map(([s, e]) => s.replace(/[\r\n]/g, '') + e);
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), fc.integer({ min: 0, max: 3 }), (pieces, pad) => {
        // A long first line puts the rest near the 64 KiB chunk border.
        const text = 'y'.repeat(pad === 0 ? 0 : 65536 - 10 * pad) + '\n' + pieces.join('');
        const file = write(text);
        const spans: [string, number][] = [];
        forEachLineSpan(file, (t, s, e, line) => spans.push([t.slice(s, e), line]));
        const lines: [string, number][] = [];
        forEachLine(file, (l, line) => lines.push([l, line]));
        const fromText: [string, number][] = [];
        forEachLineOfText(text, file, (l, line) => fromText.push([l, line]));
        expect(spans).toEqual(fromText);
        expect(lines).toEqual(fromText);
      }),
      { numRuns: 60, seed: 3 },
    );
  });
});

/** Lines of fields joined by mostly single spaces, sometimes other whitespace or junk. */
function lineOf(fields: fc.Arbitrary<string>[], extra: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const sep = fc.oneof({ weight: 12, arbitrary: fc.constant(' ') }, { weight: 1, arbitrary: fc.constantFrom('  ', '\t', ' \u00a0') });
  return fc.tuple(fc.tuple(...fields), fc.array(fc.tuple(sep, extra), { maxLength: 1 }), fc.array(sep, { minLength: 8 + fields.length, maxLength: 8 + fields.length }), fc.constantFrom('', '', '', ' ', '\t'), fc.boolean()).map(([fs_, more, seps, pad, drop]) => {
    const all = [...fs_, ...more.map(([, e]) => e)];
    if (drop && all.length > 1) all.pop();
    return pad + all.map((f, i) => (i === 0 ? f : seps[i % seps.length] + f)).join('') + pad;
  });
}

const num = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -5000, max: 5000 }).map((v) => (v / 10).toString()) }, { weight: 1, arbitrary: field });
const name = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('P0001', 'img_7', 'ship', 'large-vehicle') }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }).filter((s) => !/[\r\n]/.test(s)) });

describe('Task1 lines', () => {
  it('task1LineFast reads a line exactly as the general path, or leaves it to it', () => {
    const line = lineOf([name, num, num, num, num, num, num, num, num, num], num);
    fc.assert(
      fc.property(line, (l) => {
        const fastPoly = new Float64Array(8);
        const fastOut = { score: 0 };
        const image = task1LineFast(l, 0, l.length, fastPoly, fastOut);
        const trimmed = l.trim();
        if (trimmed === '') return;
        const poly = new Float64Array(8);
        const out = { score: 0 };
        const general = outcome(() => task1Line(trimmed, 'Task1_x.txt', 1, poly, out));
        if (image === undefined) return; // the general path decides (reads it or names the problem)
        expect(general.error).toBeUndefined();
        expect(image).toBe(general.value);
        expect(same(fastOut.score, out.score)).toBe(true);
        for (let k = 0; k < 8; k++) expect(same(fastPoly[k], poly[k])).toBe(true);
      }),
      { numRuns: 4000, seed: 5 },
    );
  });

  it('scanTask1Txt on a file = the general path line by line (values, line numbers, errors)', () => {
    const line = lineOf([name, num, num, num, num, num, num, num, num, num], num);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const text = lines.join('\n') + '\n';
        const file = write(text);
        const got = outcome(() => {
          const rows: unknown[] = [];
          scanTask1Txt(file, (image, score, poly, lineNo) => rows.push([image, score, Array.from(poly), lineNo]));
          return rows;
        });
        const want = outcome(() => {
          const rows: unknown[] = [];
          forEachLineOfText(text, file, (raw, lineNo) => {
            const l = raw.trim();
            if (l === '') return;
            const poly = new Float64Array(8);
            const out = { score: 0 };
            const image = task1Line(l, file, lineNo, poly, out);
            rows.push([image, out.score, Array.from(poly), lineNo]);
          });
          return rows;
        });
        expect(got).toEqual(want);
      }),
      { numRuns: 300, seed: 6 },
    );
  });
});

describe('DOTA labelTxt lines', () => {
  const difficult = fc.constantFrom('0', '1', '2', '3', '1.0', '');
  const objectLine = lineOf([num, num, num, num, num, num, num, num, name, difficult], difficult);
  const header = fc.constantFrom('imagesource:GoogleEarth', 'gsd:0.5', 'gsd:null', 'gsd:x', 'foo: bar', '');
  const lines = fc.array(fc.oneof({ weight: 6, arbitrary: objectLine }, { weight: 1, arbitrary: header }), { maxLength: 10 });

  it('readDotaTxt (span fast path) = parseDotaTxt (general path): objects, header, notices, skips, errors', () => {
    fc.assert(
      fc.property(lines, fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.boolean(), (ls, eol, lenient, withClasses) => {
        const text = ls.join(eol) + eol;
        const file = write(text);
        const opts = { lenient, ...(withClasses ? { classes: ['ship', 'large-vehicle'] } : {}) };
        const fast = outcome(() => readDotaTxt(file, opts));
        const general = outcome(() => parseDotaTxt(text, file, opts));
        expect(fast).toEqual(general);
      }),
      { numRuns: 600, seed: 7 },
    );
  });
});
