/**
 * COCO results (detections) JSON: `[{ image_id, category_id, bbox: [x, y, w, h], score }, …]`,
 * what pycocotools' `loadRes` reads. Visited entry by entry (streamed above 64 MiB), each
 * validated with `cocoResultSchema`; whether its ids resolve is the caller's business (it knows
 * the ground truth), and the caller names the entry as `[i].image_id` in its error.
 */
import { checkEntry, cocoResultSchema } from './coco-schema.js';
import fs from 'node:fs';
import { FormatError, fsError } from '../errors.js';
import { streamCocoResultFields } from './coco-results-stream.js';
import { CocoResultFields, resultOf } from './coco-result-fields.js';
import { DEFAULT_STREAM_ABOVE_BYTES, visitJson, type JsonVisitOptions } from './json-visit.js';

export interface CocoResult {
  imageId: number;
  categoryId: number;
  /** `[x, y, w, h]`. */
  bbox: [number, number, number, number];
  score: number;
}

/** Called once per result with its index in the file. */
export type CocoResultVisitor = (result: CocoResult, index: number) => void;
/**
 * The same without an object per entry: `fields` is reused (its numbers stay unboxed), so copy
 * what you keep.
 */
export type CocoResultFieldsVisitor = (fields: Readonly<CocoResultFields>, index: number) => void;

/** Visits every entry of a COCO results file; returns the number of entries. */
export function scanCocoResults(file: string, visit: CocoResultVisitor, opts: JsonVisitOptions = {}): number {
  return scanCocoResultFields(file, (f, index) => visit(resultOf(f), index), opts);
}

/** `scanCocoResults` handing over each entry's fields (what an evaluator of millions of entries wants). */
export function scanCocoResultFields(file: string, visit: CocoResultFieldsVisitor, opts: JsonVisitOptions = {}): number {
  // Big files: the byte-level reader (same values and messages, no object per entry).
  if (fileSize(file) >= (opts.streamAboveBytes ?? DEFAULT_STREAM_ABOVE_BYTES)) return streamCocoResultFields(file, visit);
  let n = 0;
  const fields = new CocoResultFields();
  visitJson(
    file,
    {
      root: 'array',
      onElement: (_key, value, i) => {
        const r = checkEntry(cocoResultSchema(), value, `[${i}]`);
        if (!r.ok) throw new FormatError({ file, field: r.field }, r.reason);
        const e = r.value;
        n++;
        visit(fields.set(e.image_id, e.category_id, e.bbox, e.score), i);
      },
    },
    opts,
  );
  return n;
}

/** Reads a whole (small) COCO results file into an array. */
export function readCocoResults(file: string, opts: JsonVisitOptions = {}): CocoResult[] {
  const out: CocoResult[] = [];
  scanCocoResults(file, (r) => out.push(r), opts);
  return out;
}

function fileSize(file: string): number {
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    return st.size;
  } catch (err) {
    throw fsError(file, err);
  }
}
