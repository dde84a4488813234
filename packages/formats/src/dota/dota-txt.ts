/**
 * DOTA-v1 `labelTxt` reader.
 *
 * ```text
 * imagesource:GoogleEarth          optional header lines (DOTA-v1.0 has both, v1.5 too)
 * gsd:0.146343590398               a number or `null`
 * x1 y1 x2 y2 x3 y3 x4 y4 class difficult
 * ```
 * Read line by line (`forEachLine`): LF, CRLF or CR endings, a missing final newline and a
 * UTF-8 BOM are tolerated; blank lines are skipped. Numbers follow the strict grammar
 * (`parseDecimal`: no hex, no empty field, no Infinity).
 * Difficult: like the DOTA devkit (`parse_dota_poly`), a line with 9 fields (no difficult)
 * reads as 0, with one notice per file. Values 0, 1 and 2 are accepted (2 is what the devkit's
 * splitter, and our tiler, write for an object that lost more than 30 % of its area at a tile
 * border; the devkit's evaluator counts any non-zero value as difficult).
 * Other `key:value` header lines (one token, a colon) are skipped with a notice.
 */
import { IssueSink, type ReadOptions, type SkippedRecord } from '../errors.js';
import { parseDecimal, scanDecimalField, scannedField, splitFields } from '../number-grammar.js';
import { forEachLineOfText, forEachLineSpan } from '../text-lines.js';

export interface DotaObject {
  /** Four corners `[x1, y1, …, x4, y4]` in pixels, in file order. */
  poly: number[];
  className: string;
  /** 0 = normal, 1 = difficult, 2 = devkit "truncated at a tile border". */
  difficult: number;
  /** 1-based line in the file. */
  line: number;
}

export interface DotaLabelFile {
  file: string;
  imageSource?: string;
  /** Ground sample distance in metres per pixel; null when the file says `gsd:null`. */
  gsd?: number | null;
  objects: DotaObject[];
  skipped: SkippedRecord[];
  notices: string[];
}

export interface DotaReadOptions extends ReadOptions {
  /** When given, a class name outside this list is an error (or skipped when lenient). */
  classes?: readonly string[];
  /** Collect issues into this sink (shared across files) instead of a fresh one. */
  sink?: IssueSink;
}

/**
 * Streaming visitor: called once per object line. `poly` is a buffer reused for every line:
 * copy what you keep (this is what lets a 20,000-file evaluation hold only typed arrays).
 */
export type DotaObjectVisitor = (poly: Float64Array, className: string, difficult: number, line: number) => void;

/** Header values seen while scanning. */
export interface DotaHeader {
  imageSource?: string;
  gsd?: number | null;
}

/** Scans a labelTxt file line by line, calling `visit` per object; returns the header values. */
export function scanDotaTxt(file: string, visit: DotaObjectVisitor, opts: DotaReadOptions = {}): DotaHeader {
  const state = new DotaScanState(file, visit, opts);
  forEachLineSpan(file, (text, start, end, lineNo) => state.span(text, start, end, lineNo));
  return state.finish();
}

/** Reads a DOTA-v1 labelTxt file into objects. */
export function readDotaTxt(file: string, opts: DotaReadOptions = {}): DotaLabelFile {
  return collect(file, opts, (state) => forEachLineSpan(file, (text, start, end, lineNo) => state.span(text, start, end, lineNo)));
}

/** Parses DOTA-v1 labelTxt text; `file` is used in error messages. */
export function parseDotaTxt(text: string, file: string, opts: DotaReadOptions = {}): DotaLabelFile {
  return collect(file, opts, (state) => forEachLineOfText(text, file, (line, lineNo) => state.line(line, lineNo)));
}

function collect(file: string, opts: DotaReadOptions, run: (state: DotaScanState) => void): DotaLabelFile {
  const sink = opts.sink ?? new IssueSink(opts.lenient);
  const skippedBefore = sink.skipped.length;
  const noticesBefore = sink.notices.length;
  const objects: DotaObject[] = [];
  const state = new DotaScanState(file, (poly, className, difficult, line) => objects.push({ poly: Array.from(poly), className, difficult, line }), { ...opts, sink });
  run(state);
  const header = state.finish();
  return {
    file,
    ...header,
    objects,
    skipped: sink.skipped.slice(skippedBefore),
    notices: sink.notices.slice(noticesBefore),
  };
}

const HEADER = /^([A-Za-z_][A-Za-z0-9_]*)\s*:(.*)$/;

class DotaScanState {
  private readonly sink: IssueSink;
  private readonly classSet?: Set<string>;
  private readonly poly = new Float64Array(8);
  private readonly header: DotaHeader = {};
  private missingDifficult = 0;
  private unknownHeaders = 0;

  constructor(
    private readonly file: string,
    private readonly visit: DotaObjectVisitor,
    opts: DotaReadOptions,
  ) {
    this.sink = opts.sink ?? new IssueSink(opts.lenient);
    if (opts.classes) this.classSet = new Set(opts.classes);
  }

  /**
   * The line `text[start, end)`: a plain object line (ASCII, fields one space apart, nothing
   * around) is read in place; anything else — a header, tabs, runs of spaces, non-ASCII, a bad
   * field, an unknown class — takes the general path (`line`), which reads it or names the problem.
   */
  span(text: string, start: number, end: number, lineNo: number): void {
    if (start === end) return;
    const fields = objectLineFast(text, start, end, this.poly);
    if (fields !== 0) {
      const className = text.slice(fastClass.start, fastClass.end);
      if (!this.classSet || this.classSet.has(className)) {
        if (fields === 9) this.missingDifficult++;
        this.visit(this.poly, className, fastClass.difficult, lineNo);
        return;
      }
    }
    this.line(text.slice(start, end), lineNo);
  }

  line(raw: string, lineNo: number): void {
    const line = raw.trim();
    if (line === '') return;
    const m = HEADER.exec(line);
    if (m) {
      this.headerLine(m[1].toLowerCase(), m[2].trim(), lineNo);
      return;
    }
    this.objectLine(line, lineNo);
  }

  finish(): DotaHeader {
    if (this.missingDifficult > 0) {
      this.sink.notice(`${this.file}: ${this.missingDifficult} object line(s) have no difficult field; read as difficult = 0 (DOTA devkit rule)`);
    }
    if (this.unknownHeaders > 0) this.sink.notice(`${this.file}: ${this.unknownHeaders} unknown "key:value" header line(s) skipped`);
    return this.header;
  }

  private headerLine(key: string, value: string, lineNo: number): void {
    if (key === 'imagesource') this.header.imageSource = value;
    else if (key === 'gsd') {
      if (value === '' || value.toLowerCase() === 'null') this.header.gsd = null;
      else {
        const gsd = parseDecimal(value);
        if (Number.isFinite(gsd)) this.header.gsd = gsd;
        else this.sink.fail({ file: this.file, line: lineNo }, `gsd must be a number (metres per pixel) or "null", got "${clip(value)}"`);
      }
    } else this.unknownHeaders++;
  }

  private objectLine(line: string, lineNo: number): void {
    const fields = splitFields(line);
    if (fields.length !== 9 && fields.length !== 10) {
      this.sink.fail({ file: this.file, line: lineNo }, describeFieldCount(fields));
      return;
    }
    const poly = this.poly;
    for (let k = 0; k < 8; k++) {
      const v = parseDecimal(fields[k]);
      if (!Number.isFinite(v)) {
        this.sink.fail({ file: this.file, line: lineNo }, `coordinate ${k + 1} (${k % 2 ? 'y' : 'x'}${(k >> 1) + 1}) is not a finite number: "${clip(fields[k])}"`);
        return;
      }
      poly[k] = v;
    }
    const className = fields[8];
    if (this.classSet && !this.classSet.has(className)) {
      this.sink.fail({ file: this.file, line: lineNo }, `unknown class "${clip(className)}" (expected one of: ${[...this.classSet].join(', ')})`);
      return;
    }
    let difficult = 0;
    if (fields.length === 9) this.missingDifficult++;
    else {
      const t = fields[9];
      if (t !== '0' && t !== '1' && t !== '2') {
        this.sink.fail({ file: this.file, line: lineNo }, `difficult must be 0, 1 or 2, got "${clip(t)}"`);
        return;
      }
      difficult = t.charCodeAt(0) - 48;
    }
    this.visit(poly, className, difficult, lineNo);
  }
}

/** Where `objectLineFast` found the class name, and the difficult value it read. */
const fastClass = { start: 0, end: 0, difficult: 0 };

/**
 * `x1 y1 … x4 y4 class [difficult]` read from `text[start, end)` into `poly` when the line is
 * plain: 8 numbers (`scanDecimalField`), a class of printable ASCII, difficult `0`, `1` or `2`
 * or none, single spaces, nothing around. Returns the field count (9 or 10; class and difficult
 * in `fastClass`), or 0 for any other line. A plain line starts with a number, so it is never
 * a `key:value` header.
 */
export function objectLineFast(text: string, start: number, end: number, poly: Float64Array): number {
  let i = start - 1;
  for (let k = 0; k < 8; k++) {
    const v = scanDecimalField(text, i + 1, end);
    if (v !== v) return 0; // NaN: not a plain number (or an empty field)
    poly[k] = v;
    i = scannedField.end;
    if (i === end) return 0;
  }
  const c0 = ++i;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20) break;
    if (c < 0x21 || c > 0x7e) return 0;
  }
  if (i === c0) return 0;
  fastClass.start = c0;
  fastClass.end = i;
  fastClass.difficult = 0;
  if (i === end) return 9;
  if (i + 2 !== end) return 0;
  const d = text.charCodeAt(i + 1) - 0x30;
  if (d < 0 || d > 2) return 0;
  fastClass.difficult = d;
  return 10;
}

/** Explains a wrong field count, spotting the common "polygon with 3 points" case. */
function describeFieldCount(fields: string[]): string {
  const firstText = fields.findIndex((f) => !Number.isFinite(parseDecimal(f)));
  const coords = firstText < 0 ? fields.length : firstText;
  if (coords !== 8 && coords % 2 === 0 && coords >= 2 && coords < fields.length) {
    return `polygon has ${coords / 2} points, DOTA needs exactly 4 (8 coordinates, class, difficult); got ${fields.length} fields`;
  }
  return `expected 10 fields (8 coordinates, class, difficult), got ${fields.length}`;
}

export function clip(s: string, n = 40): string {
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}

