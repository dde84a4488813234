/**
 * Walks the arrays of a JSON file element by element, so COCO files of any size are read in
 * bounded memory. Small files (below `streamAboveBytes`: 64 MiB by default for a root array,
 * 256 MiB for a root object — see DEFAULT_STREAM_OBJECT_ABOVE_BYTES) go through
 * `JSON.parse` (fast); larger ones are streamed 1 MiB at a time, each element dropped once
 * visited: a root array (results) by `streamJsonArray` (byte scanner + batched native
 * `JSON.parse`), a root object (ground truth) by `@streamparser/json` — a 2 GB results file never becomes one string (V8 strings stop
 * at 512 MiB: `ERR_STRING_TOO_LONG`). Both paths visit the same elements in the same order and
 * report errors as FormatErrors naming the file (and line:column or byte offset).
 */
import fs from 'node:fs';
import type { JSONParser, ParsedTokenInfo, TokenType } from '@streamparser/json';
import { lazyModule } from '../lazy-module.js';
import { FormatError, fsError } from '../errors.js';
import { readChunk } from '../read-file.js';
import { readTextFile } from '../text-lines.js';
import { streamJsonArray } from './json-array-stream.js';

const streamparser = lazyModule<typeof import('@streamparser/json')>('@streamparser/json');

export const DEFAULT_STREAM_ABOVE_BYTES = 64 * 1024 * 1024;
/**
 * Ground truth (a root object) is parsed whole below this size: its size is bounded by the
 * dataset, not by a detector's output, native `JSON.parse` is ~10× faster than the token-level
 * stream, and V8's string limit is 512 MiB. (A 20,000-image GT of 50 objects each is ~100 MB.)
 */
export const DEFAULT_STREAM_OBJECT_ABOVE_BYTES = 256 * 1024 * 1024;
const CHUNK_BYTES = 1 << 20;

export type JsonKind = 'array' | 'object' | 'string' | 'number' | 'boolean' | 'null' | 'missing';

export interface JsonVisitOptions {
  /** Files at least this big are streamed (default 64 MiB for a root array, 256 MiB for a root object). */
  streamAboveBytes?: number;
}

/** What to visit. `root: 'array'` → `onElement('', value, i)` per root element. */
export interface JsonVisitPlan {
  root: 'array' | 'object';
  /** Top-level keys (root object) whose array elements are visited. */
  arrays?: readonly string[];
  onElement(key: string, value: unknown, index: number): void;
  /** Called when a visited top-level array has been read completely. */
  onArrayEnd?(key: string): void;
}

export interface JsonVisitResult {
  /** Kind of each top-level key's value (root object only). */
  kinds: Map<string, JsonKind>;
}

/** Visits the elements of `plan.arrays` (or of the root array); throws FormatError on bad JSON. */
export function visitJson(file: string, plan: JsonVisitPlan, opts: JsonVisitOptions = {}): JsonVisitResult {
  let size: number;
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    size = st.size;
  } catch (err) {
    throw fsError(file, err);
  }
  if (size >= (opts.streamAboveBytes ?? (plan.root === 'object' ? DEFAULT_STREAM_OBJECT_ABOVE_BYTES : DEFAULT_STREAM_ABOVE_BYTES))) {
    if (plan.root === 'array') {
      streamJsonArray(file, (v, i) => plan.onElement('', v, i));
      return { kinds: new Map() };
    }
    return visitStreamed(file, plan);
  }
  return visitParsed(file, parseJsonText(readTextFile(file), file), plan);
}

/** `JSON.parse` with errors naming file:line:column (and Python's bare NaN/Infinity explained). */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    const message = (err as Error).message;
    const bad = firstBareNonFinite(text);
    if (bad >= 0) {
      const token = text.startsWith('NaN', bad) ? 'NaN' : 'Infinity';
      throw new FormatError({ file, line: lineColumn(text, bad).line }, `invalid JSON: bare ${token} at column ${lineColumn(text, bad).column} (Python's json.dump writes it for a non-finite float; it is not JSON)`);
    }
    const at = /at position (\d+)/.exec(message);
    if (at) {
      const { line, column } = lineColumn(text, Number(at[1]));
      throw new FormatError({ file, line }, `invalid JSON at column ${column}: ${message.replace(/\s*\(line \d+ column \d+\)$/, '')}`);
    }
    throw new FormatError({ file }, `invalid JSON: ${message}`);
  }
}

export function visitParsed(file: string, json: unknown, plan: JsonVisitPlan): JsonVisitResult {
  const kinds = new Map<string, JsonKind>();
  if (plan.root === 'array') {
    if (!Array.isArray(json)) throw new FormatError({ file }, `expected a JSON array at the top level, got ${kindOf(json)}`);
    json.forEach((v, i) => plan.onElement('', v, i));
    return { kinds };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new FormatError({ file }, `expected a JSON object at the top level, got ${kindOf(json)}`);
  for (const [k, v] of Object.entries(json)) kinds.set(k, kindOf(v));
  for (const key of plan.arrays ?? []) {
    const v = (json as Record<string, unknown>)[key];
    if (Array.isArray(v) && Object.hasOwn(json, key)) {
      v.forEach((e, i) => plan.onElement(key, e, i));
      plan.onArrayEnd?.(key);
    }
  }
  return { kinds };
}

function visitStreamed(file: string, plan: JsonVisitPlan): JsonVisitResult {
  const kinds = new Map<string, JsonKind>();
  const keys = new Set(plan.arrays ?? []);
  const paths = plan.root === 'array' ? ['$.*'] : [...keys].map((k) => `$.${k}.*`);
  const { JSONParser, TokenType } = streamparser();
  const parser = new JSONParser({ paths: paths.length ? paths : ['$.__none__'], keepStack: false });
  const counters = new Map<string, number>();
  // Track the root kind and the kind of each top-level value from the token stream.
  let depth = 0;
  let rootKind: JsonKind | undefined;
  let pendingKey: string | undefined;
  let expectValueFor: string | undefined;
  let lastString: string | undefined;
  let currentKey: string | undefined;
  // The root array's elements need no token tracking (it costs a call per token): its kind is
  // checked from the first byte. An object root's top-level keys and their kinds are tracked.
  if (plan.root === 'object') {
    parser.onToken = (t: ParsedTokenInfo) => {
      if (rootKind === undefined) rootKind = tokenKind(t.token);
      if (depth === 1 && rootKind === 'object') {
        if (expectValueFor !== undefined) {
          kinds.set(expectValueFor, tokenKind(t.token));
          expectValueFor = undefined;
        } else if (t.token === TokenType.STRING) lastString = t.value as string;
        else if (t.token === TokenType.COLON) {
          pendingKey = lastString;
          expectValueFor = pendingKey;
          currentKey = pendingKey;
        }
      }
      if (t.token === TokenType.LEFT_BRACE || t.token === TokenType.LEFT_BRACKET) depth++;
      else if (t.token === TokenType.RIGHT_BRACE || t.token === TokenType.RIGHT_BRACKET) {
        depth--;
        if (depth === 1 && t.token === TokenType.RIGHT_BRACKET && rootKind === 'object' && currentKey !== undefined && keys.has(currentKey)) plan.onArrayEnd?.(currentKey);
      }
      if (rootKind !== undefined && rootKind !== plan.root) {
        throw new FormatError({ file }, `expected a JSON ${plan.root} at the top level, got ${rootKind}`);
      }
    };
  }
  parser.onValue = ({ value, stack }) => {
    const key = plan.root === 'array' ? '' : String(stack[1]?.key ?? '');
    const i = counters.get(key) ?? 0;
    counters.set(key, i + 1);
    plan.onElement(key, value, i);
  };
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw fsError(file, err);
  }
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let offset = 0;
  try {
    for (;;) {
      const n = readChunk(fd, file, buf);
      if (n === 0) break;
      let chunk = buf.subarray(0, n);
      if (offset === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      if (offset === 0 && plan.root === 'array') {
        rootKind = firstByteKind(chunk);
        if (rootKind !== 'array') throw new FormatError({ file }, rootKind === 'missing' ? 'empty file: expected JSON' : `expected a JSON array at the top level, got ${rootKind}`);
      }
      writeChunk(parser, chunk, file, offset);
      offset += n;
    }
    try {
      // The parser ends by itself after a complete document; end() then would throw.
      if (!parser.isEnded) parser.end();
    } catch (err) {
      throw jsonStreamError(file, err, offset);
    }
  } finally {
    fs.closeSync(fd);
  }
  if (rootKind === undefined) throw new FormatError({ file }, 'empty file: expected JSON');
  return { kinds };
}

function writeChunk(parser: JSONParser, chunk: Uint8Array, file: string, offset: number): void {
  try {
    parser.write(chunk);
  } catch (err) {
    throw jsonStreamError(file, err, offset);
  }
}

function jsonStreamError(file: string, err: unknown, offset: number): FormatError {
  if (err instanceof FormatError) return err;
  const message = (err as Error).message ?? String(err);
  const at = /absolute position "(\d+)"/.exec(message);
  return new FormatError({ file }, `invalid JSON${at ? ` near byte ${at[1]}` : offset ? ` (after byte ${offset})` : ''}: ${message}`);
}

/** Kind of the JSON value starting at the first non-blank byte ('missing' when there is none). */
function firstByteKind(bytes: Uint8Array): JsonKind {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    if (b === 0x5b) return 'array';
    if (b === 0x7b) return 'object';
    if (b === 0x22) return 'string';
    if (b === 0x74 || b === 0x66) return 'boolean';
    if (b === 0x6e) return 'null';
    return 'number';
  }
  return 'missing';
}

function tokenKind(t: TokenType): JsonKind {
  const { TokenType } = streamparser();
  switch (t) {
    case TokenType.LEFT_BRACE: return 'object';
    case TokenType.LEFT_BRACKET: return 'array';
    case TokenType.STRING: return 'string';
    case TokenType.NUMBER: return 'number';
    case TokenType.TRUE: case TokenType.FALSE: return 'boolean';
    case TokenType.NULL: return 'null';
    default: return 'missing';
  }
}

export function kindOf(v: unknown): JsonKind {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean' || t === 'object' ? (t as JsonKind) : 'missing';
}

/** 1-based line and column of character offset `pos` in `text`. */
export function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: pos - lineStart + 1 };
}

/** Offset of the first bare `NaN` / `Infinity` outside string literals, or −1. */
export function firstBareNonFinite(text: string): number {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if ((ch === 'N' && text.startsWith('NaN', i)) || (ch === 'I' && text.startsWith('Infinity', i))) return i;
  }
  return -1;
}
