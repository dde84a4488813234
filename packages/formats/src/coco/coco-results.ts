/**
 * COCO results (detections) JSON: `[{ image_id, category_id, bbox: [x, y, w, h], score }, …]`,
 * what pycocotools' `loadRes` reads. Visited entry by entry (streamed above 64 MiB), each
 * validated with `cocoResultSchema`; whether its ids resolve is the caller's business (it knows
 * the ground truth), and the caller names the entry as `[i].image_id` in its error.
 */
import { checkEntry, cocoResultSchema } from './coco-schema.js';
import fs from 'node:fs';
import { FormatError, fsError } from '../errors.js';
import { streamCocoResults } from './coco-results-stream.js';
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

/** Visits every entry of a COCO results file; returns the number of entries. */
export function scanCocoResults(file: string, visit: CocoResultVisitor, opts: JsonVisitOptions = {}): number {
  // Big files: the byte-level reader (same values and messages, no object per entry).
  if (fileSize(file) >= (opts.streamAboveBytes ?? DEFAULT_STREAM_ABOVE_BYTES)) return streamCocoResults(file, visit);
  let n = 0;
  visitJson(
    file,
    {
      root: 'array',
      onElement: (_key, value, i) => {
        const r = checkEntry(cocoResultSchema, value, `[${i}]`);
        if (!r.ok) throw new FormatError({ file, field: r.field }, r.reason);
        const e = r.value;
        n++;
        visit({ imageId: e.image_id, categoryId: e.category_id, bbox: e.bbox, score: e.score }, i);
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
