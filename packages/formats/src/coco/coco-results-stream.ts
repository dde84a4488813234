/**
 * Streaming reader of big COCO results files, without one JS object per entry.
 *
 * A results file is millions of entries of one shape, `{"image_id":1,"category_id":2,
 * "bbox":[x,y,w,h],"score":0.9}`. `JSON.parse` turns each into an object and an array (most of
 * the time of a large evaluation went to building and collecting them), so entries of exactly
 * that shape are read straight from the bytes: keys compared as bytes, numbers converted exactly
 * (see `readJsonNumber`), values checked as `cocoResultSchema` checks them. Anything else — another
 * key, an escape, a string where a number belongs, a negative width, a non-safe-integer id, a
 * number that overflows — makes the fast path give up on that entry only: the entry is cut out
 * by a byte scanner, `JSON.parse`d and validated with the zod schema, so values and error
 * messages are those of the generic path (`streamJsonArray` + `checkEntry`).
 */
import { FormatError } from '../errors.js';
import { readChunk, withOpenFile } from '../read-file.js';
import { MAX_ELEMENT_BYTES } from './json-array-stream.js';
import { checkEntry, cocoResultSchema } from './coco-schema.js';
import { jsonNumber, readJsonNumber } from './json-number.js';
import { CocoResultFields, resultOf } from './coco-result-fields.js';
import type { CocoResultFieldsVisitor, CocoResultVisitor } from './coco-results.js';

const READ_BYTES = 4 << 20;
/** An entry is tried on the fast path only with this many bytes (or the file's end) ahead. */
const LOOKAHEAD = 1 << 12;

const WS = new Uint8Array(256);
for (const c of [0x20, 0x0a, 0x0d, 0x09]) WS[c] = 1;
const KEYS = ['image_id', 'category_id', 'bbox', 'score'].map((k) => Buffer.from(k));

/** Byte buffer over the file with refill; `pos` is the cursor, `base` the file offset of buf[0]. */
class Source {
  buf = Buffer.allocUnsafe(READ_BYTES + LOOKAHEAD);
  len = 0;
  pos = 0;
  base = 0;
  eof = false;

  constructor(
    readonly file: string,
    private readonly fd: number,
  ) {}

  /** Makes at least `n` bytes available from `keep` (≤ pos) on, or all that is left; returns the shift applied to indices. */
  fill(keep: number, n: number): number {
    if (this.eof || this.len - keep >= n) return 0;
    const shift = keep;
    if (shift > 0) {
      this.buf.copy(this.buf, 0, shift, this.len);
      this.len -= shift;
      this.pos -= shift;
      this.base += shift;
    }
    while (!this.eof && this.len < n) {
      if (this.len === this.buf.length) {
        if (this.buf.length > MAX_ELEMENT_BYTES + READ_BYTES) throw new FormatError({ file: this.file }, `one entry is larger than ${MAX_ELEMENT_BYTES} bytes: not a COCO results file`);
        const grown = Buffer.allocUnsafe(this.buf.length * 2);
        this.buf.copy(grown, 0, 0, this.len);
        this.buf = grown;
      }
      const got = readChunk(this.fd, this.file, this.buf, this.len);
      if (got === 0) this.eof = true;
      this.len += got;
    }
    return shift;
  }

  /** Skips JSON whitespace (refilling); returns the next byte or -1 at the end of the file. */
  peek(): number {
    for (;;) {
      while (this.pos < this.len && WS[this.buf[this.pos]]) this.pos++;
      if (this.pos < this.len) return this.buf[this.pos];
      if (this.eof) return -1;
      this.fill(this.pos, 1);
    }
  }
}

/** Fields of the entry the fast path read last. */

/** Visits every entry of a results file (streamed); returns the number of entries. */
export function streamCocoResults(file: string, visit: CocoResultVisitor): number {
  return streamCocoResultFields(file, (f, index) => visit(resultOf(f), index));
}

/** `streamCocoResults` handing over the fields (no object per entry). */
export function streamCocoResultFields(file: string, visit: CocoResultFieldsVisitor): number {
  return withOpenFile(file, (fd) => readAll(new Source(file, fd), visit));
}

function readAll(src: Source, visit: CocoResultFieldsVisitor): number {
  const file = src.file;
  src.fill(0, 3);
  if (src.len >= 3 && src.buf[0] === 0xef && src.buf[1] === 0xbb && src.buf[2] === 0xbf) src.pos = 3;
  const first = src.peek();
  if (first === -1) throw new FormatError({ file }, src.base + src.len === 0 ? 'empty file: expected JSON' : 'invalid JSON: the file ends before the top-level array');
  if (first !== 0x5b) throw new FormatError({ file }, `expected a JSON array at the top level, got ${first === 0x7b ? 'object' : first === 0x22 ? 'string' : first === 0x74 || first === 0x66 ? 'boolean' : first === 0x6e ? 'null' : 'number'}`);
  src.pos++;
  const e = new CocoResultFields();
  let index = 0;
  if (src.peek() === 0x5d) {
    src.pos++;
    return expectEnd(src, index);
  }
  for (;;) {
    src.peek(); // entries may follow whitespace (`JSON.stringify(x, null, 2)`)
    src.fill(src.pos, LOOKAHEAD);
    const start = src.pos;
    if (fastEntry(src, e)) {
      visit(e, index);
    } else {
      src.pos = start;
      slowEntry(src, index, visit);
    }
    index++;
    const c = src.peek();
    if (c === 0x2c) {
      src.pos++;
      continue;
    }
    if (c === 0x5d) {
      src.pos++;
      return expectEnd(src, index);
    }
    if (c === -1) throw new FormatError({ file }, `invalid JSON: the file ends inside the top-level array (after byte ${src.base + src.len}; truncated?)`);
    throw new FormatError({ file, field: `[${index - 1}]` }, `invalid JSON near byte ${src.base + src.pos}: expected "," or "]" after the entry`);
  }
}

function expectEnd(src: Source, n: number): number {
  const c = src.peek();
  if (c !== -1) throw new FormatError({ file: src.file }, `invalid JSON near byte ${src.base + src.pos}: data after the end of the top-level array`);
  return n;
}

/**
 * Reads one entry of the common shape at `src.pos` into `e`; false (cursor anywhere) when the
 * entry is anything else, or when the lookahead ends inside it.
 */
function fastEntry(src: Source, e: CocoResultFields): boolean {
  const b = src.buf;
  const end = src.len;
  let p = src.pos;
  if (b[p] !== 0x7b) return false;
  p++;
  let seen = 0;
  for (;;) {
    while (p < end && WS[b[p]]) p++;
    if (p >= end || b[p] !== 0x22) return false;
    const k0 = ++p;
    while (p < end && b[p] !== 0x22 && b[p] !== 0x5c) p++;
    if (p >= end || b[p] !== 0x22) return false;
    const key = keyIndex(b, k0, p);
    if (key < 0 || seen & (1 << key)) return false; // another key, or a repeated one
    seen |= 1 << key;
    p++;
    while (p < end && WS[b[p]]) p++;
    if (p >= end || b[p] !== 0x3a) return false;
    p++;
    while (p < end && WS[b[p]]) p++;
    if (key === 2) {
      if (p >= end || b[p] !== 0x5b) return false;
      p++;
      for (let j = 0; j < 4; j++) {
        while (p < end && WS[b[p]]) p++;
        p = readJsonNumber(b, p, end);
        if (p < 0) return false;
        const v = jsonNumber.value;
        if (j === 0) e.x = v;
        else if (j === 1) e.y = v;
        else if (j === 2) e.w = v;
        else e.h = v;
        while (p < end && WS[b[p]]) p++;
        if (p >= end || b[p] !== (j === 3 ? 0x5d : 0x2c)) return false;
        p++;
      }
    } else {
      p = readJsonNumber(b, p, end);
      if (p < 0) return false;
      if (key === 0) e.imageId = jsonNumber.value;
      else if (key === 1) e.categoryId = jsonNumber.value;
      else e.score = jsonNumber.value;
    }
    while (p < end && WS[b[p]]) p++;
    if (p >= end) return false;
    if (b[p] === 0x2c) {
      p++;
      continue;
    }
    if (b[p] !== 0x7d) return false;
    p++;
    break;
  }
  // What cocoResultSchema checks; anything failing goes to the zod path for its message.
  if (seen !== 15) return false;
  if (!Number.isSafeInteger(e.imageId) || !Number.isSafeInteger(e.categoryId)) return false;
  if (!Number.isFinite(e.score) || !Number.isFinite(e.x) || !Number.isFinite(e.y)) return false;
  if (!(e.w >= 0 && e.w < Infinity && e.h >= 0 && e.h < Infinity)) return false;
  src.pos = p;
  return true;
}

/** Index of the key `b[from, to)` in KEYS, or -1. The four keys differ in length: one compare. */
function keyIndex(b: Buffer, from: number, to: number): number {
  const n = to - from;
  const k = n === 8 ? 0 : n === 11 ? 1 : n === 4 ? 2 : n === 5 ? 3 : -1;
  if (k < 0) return -1;
  const key = KEYS[k];
  for (let i = 0; i < n; i++) if (b[from + i] !== key[i]) return -1;
  return k;
}

/** Cuts the entry out with a byte scanner, `JSON.parse`s it and checks it with the zod schema. */
function slowEntry(src: Source, index: number, visit: CocoResultFieldsVisitor): void {
  const file = src.file;
  const start = src.pos;
  let p = start;
  let depth = 0;
  let inString = false;
  let escape = false;
  for (;;) {
    if (p >= src.len) {
      if (src.eof) throw new FormatError({ file }, `invalid JSON: the file ends inside the top-level array (after byte ${src.base + src.len}; truncated?)`);
      const before = src.pos;
      const shift = src.fill(src.pos, src.len - src.pos + READ_BYTES);
      p -= shift;
      if (src.pos !== before - shift) throw new Error('internal: source shift');
      continue;
    }
    const c = src.buf[p];
    if (inString) {
      if (escape) escape = false;
      else if (c === 0x5c) escape = true;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x5d || c === 0x7d) {
      if (depth === 0) {
        if (c === 0x7d) throw new FormatError({ file }, `invalid JSON near byte ${src.base + p}: "}" closes the top-level array`);
        break;
      }
      depth--;
    } else if (c === 0x2c && depth === 0) break;
    p++;
    if (p - src.pos > MAX_ELEMENT_BYTES) throw new FormatError({ file, field: `[${index}]` }, `one entry is larger than ${MAX_ELEMENT_BYTES} bytes: not a COCO results file`);
  }
  const at = src.base + src.pos;
  const bytes = src.buf.subarray(src.pos, p);
  src.pos = p;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError({ file, field: `[${index}]` }, `is not UTF-8 text (entry starting at byte ${at})`);
  }
  if (text.trim() === '') throw new FormatError({ file, field: `[${index}]` }, `invalid JSON near byte ${at}: empty entry (two commas, or a comma before "]")`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FormatError({ file, field: `[${index}]` }, `invalid JSON in the entry starting at byte ${at}: ${(err as Error).message}`);
  }
  const r = checkEntry(cocoResultSchema(), value, `[${index}]`);
  if (!r.ok) throw new FormatError({ file, field: r.field }, r.reason);
  const v = r.value;
  visit(new CocoResultFields().set(v.image_id, v.category_id, v.bbox, v.score), index);
}
