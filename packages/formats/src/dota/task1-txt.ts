/**
 * DOTA Task1 results (`Task1_<class>.txt`, what the devkit's evaluator reads):
 * `image score x1 y1 x2 y2 x3 y3 x4 y4` per line. Read line by line; the image name is
 * handed over as a string and nothing per line is kept here.
 *
 * Lines as writers write them (ASCII, fields one space apart) are read straight from the
 * decoded chunk (`task1LineFast`); any other line — tabs, runs of spaces, non-ASCII, a bad
 * field — goes through the general path (`task1Line`: trim, split on whitespace, strict
 * numbers), which reads it or names the problem. Both give the same values (a test checks it).
 */
import { FormatError } from '../errors.js';
import { parseDecimal, scanDecimalField, scannedField, splitFields } from '../number-grammar.js';
import { forEachLineSpan } from '../text-lines.js';
import { clip } from './dota-txt.js';

/** `poly` is reused for every line: copy what you keep. */
export type Task1Visitor = (image: string, score: number, poly: Float64Array, line: number) => void;

/** The class of a `Task1_<class>.txt` file name, or undefined. */
export function task1ClassName(fileName: string): string | undefined {
  const m = /^Task1_(.+)\.txt$/.exec(fileName);
  return m ? m[1] : undefined;
}

/** Scans a Task1 results file; errors name file and line. Returns the number of detections. */
export function scanTask1Txt(file: string, visit: Task1Visitor): number {
  const poly = new Float64Array(8);
  const out = { score: 0 };
  let count = 0;
  forEachLineSpan(file, (text, start, end, lineNo) => {
    if (start === end) return;
    let image = task1LineFast(text, start, end, poly, out);
    if (image === undefined) {
      const line = text.slice(start, end).trim();
      if (line === '') return;
      image = task1Line(line, file, lineNo, poly, out);
    }
    count++;
    visit(image, out.score, poly, lineNo);
  });
  return count;
}

/**
 * A plain line `image score x1 … y4` (ASCII, single spaces, nothing around) read from the span
 * `text[start, end)`: returns the image (score in `out.score`, corners in `poly`), or undefined
 * for anything else, which the general path then reads or refuses.
 */
export function task1LineFast(text: string, start: number, end: number, poly: Float64Array, out: { score: number }): string | undefined {
  let i = start;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20) break;
    if (c < 0x21 || c > 0x7e) return undefined;
  }
  if (i === start || i === end) return undefined;
  const nameEnd = i;
  for (let k = 0; k < 9; k++) {
    const v = scanDecimalField(text, i + 1, end);
    if (v !== v) return undefined; // NaN: not a plain number (or an empty field)
    i = scannedField.end;
    if (k === 0) out.score = v;
    else poly[k - 1] = v;
    if (k < 8 ? i === end : i !== end) return undefined; // too few / too many fields
  }
  return text.slice(start, nameEnd);
}

/** The general path: one trimmed, non-empty line; returns the image, like `task1LineFast`. */
export function task1Line(line: string, file: string, lineNo: number, poly: Float64Array, out: { score: number }): string {
  const f = splitFields(line);
  if (f.length !== 10) throw new FormatError({ file, line: lineNo }, `expected 10 fields (image, score, 8 coordinates), got ${f.length}`);
  const score = parseDecimal(f[1]);
  if (!Number.isFinite(score)) throw new FormatError({ file, line: lineNo }, `score is not a finite number: "${clip(f[1])}"`);
  for (let k = 0; k < 8; k++) {
    const v = parseDecimal(f[k + 2]);
    if (!Number.isFinite(v)) throw new FormatError({ file, line: lineNo }, `coordinate ${k + 1} is not a finite number: "${clip(f[k + 2])}"`);
    poly[k] = v;
  }
  out.score = score;
  return f[0];
}
