/**
 * Fast streaming of a JSON file whose root is an array (COCO results: millions of small
 * objects). A byte scanner finds the top-level element boundaries (tracking strings, escapes and
 * nesting), elements are batched ~1 MiB at a time and parsed by V8's native `JSON.parse`, then
 * visited and dropped. About 10× faster than a token-level streaming parser, with the same
 * values as `JSON.parse` of the whole file; memory stays at one batch plus what the caller keeps.
 * Errors name the file and the byte offset (and the element index where one is known).
 */
import fs from 'node:fs';
import { FormatError, fsError } from '../errors.js';
import { readChunk } from '../read-file.js';

const CHUNK_BYTES = 1 << 20;
const BATCH_BYTES = 1 << 20;
/** One element above this is not a COCO result: refuse instead of buffering it. */
export const MAX_ELEMENT_BYTES = 64 * 1024 * 1024;

export function streamJsonArray(file: string, onElement: (value: unknown, index: number) => void): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw fsError(file, err);
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let batch: Uint8Array[] = [];
  let batchOffsets: number[] = [];
  let batchBytes = 0;
  let index = 0;
  let partial: Uint8Array[] = []; // bytes of the element being scanned, from earlier chunks
  let partialBytes = 0;
  let elementStart = -1; // file offset of the current element's first byte
  let depth = 0;
  let inString = false;
  let escape = false;
  let ended = false;
  let offset = 0;

  const flush = (): void => {
    if (batch.length === 0) return;
    const parts: Uint8Array[] = [Buffer.from('[')];
    batch.forEach((b, k) => parts.push(...(k ? [Buffer.from(','), b] : [b])));
    parts.push(Buffer.from(']'));
    let values: unknown[];
    try {
      values = JSON.parse(decoder.decode(Buffer.concat(parts))) as unknown[];
    } catch {
      values = batch.map((b, k) => parseOne(b, batchOffsets[k], index + k));
    }
    for (const v of values) onElement(v, index++);
    batch = [];
    batchOffsets = [];
    batchBytes = 0;
  };

  const parseOne = (bytes: Uint8Array, at: number, i: number): unknown => {
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      throw new FormatError({ file, field: `[${i}]` }, `is not UTF-8 text (entry starting at byte ${at})`);
    }
    if (text.trim() === '') throw new FormatError({ file, field: `[${i}]` }, `invalid JSON near byte ${at}: empty entry (two commas, or a comma before "]")`);
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new FormatError({ file, field: `[${i}]` }, `invalid JSON in the entry starting at byte ${at}: ${(err as Error).message}`);
    }
  };

  const endElement = (chunk: Uint8Array, from: number, to: number): void => {
    let bytes: Uint8Array = chunk.subarray(from, to);
    if (partialBytes) {
      bytes = Buffer.concat([...partial, bytes]);
      partial = [];
      partialBytes = 0;
    }
    batch.push(Buffer.from(bytes)); // a copy: `buf` is reused by the next read (Buffer slice() is a view)
    batchOffsets.push(elementStart);
    batchBytes += bytes.length;
    if (batchBytes >= BATCH_BYTES) flush();
  };

  try {
    for (;;) {
      const n = readChunk(fd, file, buf);
      if (n === 0) break;
      const chunk: Uint8Array = buf.subarray(0, n);
      let i = 0;
      if (offset === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
      let from = depth >= 1 && !ended ? 0 : -1; // start of the current element within this chunk
      for (; i < n; i++) {
        const b = chunk[i];
        if (inString) {
          if (escape) escape = false;
          else if (b === 0x5c) escape = true;
          else if (b === 0x22) inString = false;
          continue;
        }
        if (ended) {
          if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
          throw new FormatError({ file }, `invalid JSON near byte ${offset + i}: data after the end of the top-level array`);
        }
        if (depth === 0) {
          if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
          if (b !== 0x5b) throw new FormatError({ file }, `expected a JSON array at the top level, got ${b === 0x7b ? 'object' : b === 0x22 ? 'string' : b === 0x74 || b === 0x66 ? 'boolean' : b === 0x6e ? 'null' : 'number'}`);
          depth = 1;
          from = i + 1;
          elementStart = offset + i + 1;
          continue;
        }
        if (b === 0x22) inString = true;
        else if (b === 0x5b || b === 0x7b) depth++;
        else if (b === 0x5d || b === 0x7d) {
          if (depth === 1) {
            if (b !== 0x5d) throw new FormatError({ file }, `invalid JSON near byte ${offset + i}: "}" closes the top-level array`);
            const empty = index + batch.length === 0 && partial.every((p) => isBlank(p, 0, p.length)) && isBlank(chunk, from, i);
            if (empty) {
              partial = [];
              partialBytes = 0;
            }
            if (!empty) endElement(chunk, from, i);
            depth = 0;
            ended = true;
            continue;
          }
          depth--;
        } else if (b === 0x2c && depth === 1) {
          endElement(chunk, from, i);
          from = i + 1;
          elementStart = offset + i + 1;
        }
      }
      if (depth >= 1 && !ended) {
        partial.push(Buffer.from(chunk.subarray(from)));
        partialBytes += n - from;
        if (partialBytes > MAX_ELEMENT_BYTES) throw new FormatError({ file, field: `[${index + batch.length}]` }, `one entry is larger than ${MAX_ELEMENT_BYTES} bytes: not a COCO results file`);
      }
      offset += n;
    }
    if (!ended) throw new FormatError({ file }, offset === 0 ? 'empty file: expected JSON' : `invalid JSON: the file ends inside the top-level array (after byte ${offset}; truncated?)`);
    flush();
    return index;
  } finally {
    fs.closeSync(fd);
  }
}

function isBlank(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return false;
  }
  return true;
}
