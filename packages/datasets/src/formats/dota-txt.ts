/**
 * DOTA-v1 `labelTxt` reader.
 *
 * ```text
 * imagesource:GoogleEarth          optional header lines (DOTA-v1.0 has both, v1.5 too)
 * gsd:0.146343590398               a number or `null`
 * x1 y1 x2 y2 x3 y3 x4 y4 class difficult
 * ```
 * LF, CRLF or CR line endings and a missing final newline are tolerated (as Python's universal
 * newlines, which the devkit reads with); blank lines are skipped. A `gsd:` value that is neither
 * a number nor `null` is an error naming the line (lenient: reported, gsd left unset).
 * Decision on the difficult field: like the DOTA devkit (`parse_dota_poly`), a line with 9
 * fields (no difficult) reads as difficult = 0, with one notice per file. Difficult values
 * 0, 1 and 2 are accepted (2 is what the devkit's splitter writes for an object that lost more
 * than 30 % of its area at a tile border); anything else is an error.
 */
import fs from 'node:fs';
import { IssueSink, type ReadOptions, type SkippedRecord } from '../errors.js';
import { parseDecimal } from './parse-number.js';

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

/** Reads a DOTA-v1 labelTxt file. */
export function readDotaTxt(file: string, opts: DotaReadOptions = {}): DotaLabelFile {
  return parseDotaTxt(fs.readFileSync(file, 'utf8'), file, opts);
}

/** Parses DOTA-v1 labelTxt text; `file` is used in error messages. */
export function parseDotaTxt(text: string, file: string, opts: DotaReadOptions = {}): DotaLabelFile {
  const sink = opts.sink ?? new IssueSink(opts.lenient);
  const skippedBefore = sink.skipped.length;
  const noticesBefore = sink.notices.length;
  const out: DotaLabelFile = { file, objects: [], skipped: [], notices: [] };
  const classSet = opts.classes ? new Set(opts.classes) : undefined;
  let missingDifficult = 0;
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\r|\n/); // tolerate a UTF-8 BOM
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    const lineNo = i + 1;
    if (parseHeader(raw, out, { file, line: lineNo }, sink)) continue;
    const obj = parseObjectLine(raw, file, lineNo, sink, classSet);
    if (!obj) continue;
    if (obj.missingDifficult) missingDifficult++;
    out.objects.push(obj.object);
  }
  if (missingDifficult > 0) {
    sink.notice(`${file}: ${missingDifficult} object line(s) have no difficult field; read as difficult = 0 (DOTA devkit rule)`);
  }
  out.skipped = sink.skipped.slice(skippedBefore);
  out.notices = sink.notices.slice(noticesBefore);
  return out;
}

/** `imagesource:` and `gsd:` header lines; returns false for anything else. */
function parseHeader(line: string, out: DotaLabelFile, where: { file: string; line: number }, sink: IssueSink): boolean {
  const m = /^(imagesource|gsd)\s*:(.*)$/i.exec(line);
  if (!m) return false;
  const value = m[2].trim();
  if (m[1].toLowerCase() === 'imagesource') {
    out.imageSource = value;
  } else if (value === '' || value.toLowerCase() === 'null') {
    out.gsd = null;
  } else {
    const gsd = parseDecimal(value);
    if (Number.isFinite(gsd)) out.gsd = gsd;
    else sink.fail(where, `gsd must be a number (metres per pixel) or "null", got "${value}"`);
  }
  return true;
}

function parseObjectLine(
  line: string,
  file: string,
  lineNo: number,
  sink: IssueSink,
  classSet: Set<string> | undefined,
): { object: DotaObject; missingDifficult: boolean } | undefined {
  const where = { file, line: lineNo };
  const fields = line.split(/\s+/);
  if (fields.length !== 9 && fields.length !== 10) {
    sink.fail(where, describeFieldCount(fields));
    return undefined;
  }
  const poly: number[] = [];
  for (let k = 0; k < 8; k++) {
    const v = parseDecimal(fields[k]);
    if (!Number.isFinite(v)) {
      sink.fail(where, `coordinate ${k + 1} (${k % 2 ? 'y' : 'x'}${(k >> 1) + 1}) is not a finite number: "${fields[k]}"`);
      return undefined;
    }
    poly.push(v);
  }
  const className = fields[8];
  if (classSet && !classSet.has(className)) {
    sink.fail(where, `unknown class "${className}" (expected one of: ${[...classSet].join(', ')})`);
    return undefined;
  }
  const missingDifficult = fields.length === 9;
  const difficult = missingDifficult ? 0 : Number(fields[9]);
  if (!(difficult === 0 || difficult === 1 || difficult === 2) || (!missingDifficult && !/^\d$/.test(fields[9]))) {
    sink.fail(where, `difficult must be 0, 1 or 2, got "${fields[9]}"`);
    return undefined;
  }
  return { object: { poly, className, difficult, line: lineNo }, missingDifficult };
}

/** Explains a wrong field count, spotting the common "polygon with 3 points" case. */
function describeFieldCount(fields: string[]): string {
  const numeric = fields.findIndex((f) => !Number.isFinite(parseDecimal(f)));
  const coords = numeric < 0 ? fields.length : numeric;
  if (coords !== 8 && coords % 2 === 0 && coords >= 2 && coords < fields.length) {
    return `polygon has ${coords / 2} points, DOTA needs exactly 4 (8 coordinates, class, difficult); got ${fields.length} fields`;
  }
  return `expected 10 fields (8 coordinates, class, difficult), got ${fields.length}`;
}
