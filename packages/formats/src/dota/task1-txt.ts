/**
 * DOTA Task1 results (`Task1_<class>.txt`, what the devkit's evaluator reads):
 * `image score x1 y1 x2 y2 x3 y3 x4 y4` per line. Read line by line; the image name is
 * handed over as a string and nothing per line is kept here.
 */
import { FormatError } from '../errors.js';
import { parseDecimal, splitFields } from '../number-grammar.js';
import { forEachLine } from '../text-lines.js';
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
  let count = 0;
  forEachLine(file, (raw, lineNo) => {
    const line = raw.trim();
    if (line === '') return;
    const f = splitFields(line);
    if (f.length !== 10) throw new FormatError({ file, line: lineNo }, `expected 10 fields (image, score, 8 coordinates), got ${f.length}`);
    const score = parseDecimal(f[1]);
    if (!Number.isFinite(score)) throw new FormatError({ file, line: lineNo }, `score is not a finite number: "${clip(f[1])}"`);
    for (let k = 0; k < 8; k++) {
      const v = parseDecimal(f[k + 2]);
      if (!Number.isFinite(v)) throw new FormatError({ file, line: lineNo }, `coordinate ${k + 1} is not a finite number: "${clip(f[k + 2])}"`);
      poly[k] = v;
    }
    count++;
    visit(f[0], score, poly, lineNo);
  });
  return count;
}
