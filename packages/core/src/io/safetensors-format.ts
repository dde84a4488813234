/**
 * The safetensors container: 8-byte little-endian header length N, N bytes of JSON header
 * `{ key: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { str: str } }`, then
 * the data section; offsets are relative to the data section, tensors are row-major
 * little-endian and must tile the data section without gaps or overlaps.
 */
export const SAFETENSORS_DTYPES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
} as const;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPES;

/** One tensor's entry in the header, with ABSOLUTE file offsets resolved. */
export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte position of the tensor data in the file. */
  fileOffset: number;
  byteLength: number;
}

export interface SafetensorsHeader {
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
  /** 8 + header length: where the data section starts. */
  dataStart: number;
}

/** Headers larger than this are refused (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export class SafetensorsError extends Error {
  constructor(file: string, message: string) {
    super(`safetensors ${file}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

/**
 * Parses the header JSON text, refusing duplicate top-level keys: `JSON.parse` silently keeps
 * the last one, which then surfaces as a misleading "gap" in the data section.
 */
export function parseHeaderJson(file: string, text: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(file, `header is not valid JSON (${(e as Error).message})`);
  }
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const seen = new Set<string>();
    for (const key of topLevelKeys(text)) {
      if (seen.has(key)) throw new SafetensorsError(file, `header has the key "${key}" twice (each tensor name must appear once)`);
      seen.add(key);
    }
  }
  return json;
}

/** Keys of the top-level object of valid JSON `text`, in order, duplicates included. */
export function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++;
      if (depth === 1) {
        // A string at depth 1 followed by ':' is a key.
        let j = i + 1;
        while (j < text.length && /\s/.test(text[j])) j++;
        if (text[j] === ':') keys.push(JSON.parse(text.slice(start, i + 1)) as string);
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) depth++;
    else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return keys;
}

export function isSafetensorsDtype(d: unknown): d is SafetensorsDtype {
  return typeof d === 'string' && Object.hasOwn(SAFETENSORS_DTYPES, d);
}

/**
 * Validates the parsed JSON header against the data section size (`dataBytes`): known dtypes,
 * integer shapes, byte counts equal to numel·itemsize, offsets inside the file, and tensors
 * tiling the data section with no overlap or gap. Errors name the file and the key.
 */
export function parseHeader(file: string, json: unknown, headerLength: number, dataBytes: number): SafetensorsHeader {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new SafetensorsError(file, 'header is not a JSON object');
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, TensorInfo>();
  const spans: Array<{ key: string; begin: number; end: number }> = [];
  let metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(json as Record<string, unknown>)) {
    if (key === '__metadata__') {
      metadata = parseMetadata(file, entry);
      continue;
    }
    const where = `tensor "${key}"`;
    if (entry === null || typeof entry !== 'object') throw new SafetensorsError(file, `${where}: entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (!isSafetensorsDtype(dtype)) throw new SafetensorsError(file, `${where}: unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(SAFETENSORS_DTYPES).join(', ')})`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsError(file, `${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[1] < offsets[0]) {
      throw new SafetensorsError(file, `${where}: data_offsets must be [begin, end] with 0 ≤ begin ≤ end, got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const expected = numel * SAFETENSORS_DTYPES[dtype];
    if (end - begin !== expected) {
      throw new SafetensorsError(file, `${where}: shape [${shape}] of ${dtype} needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
    }
    if (end > dataBytes) throw new SafetensorsError(file, `${where}: data_offsets [${begin}, ${end}] run past the end of the data section (${dataBytes} bytes; file truncated?)`);
    tensors.set(key, { dtype, shape: shape as number[], fileOffset: dataStart + begin, byteLength: end - begin });
    spans.push({ key, begin, end });
  }
  checkTiling(file, spans, dataBytes);
  return { tensors, metadata, dataStart };
}

function parseMetadata(file: string, entry: unknown): Record<string, string> {
  // The reference reader treats `"__metadata__": null` as absent (an Option in its schema).
  if (entry === null) return {};
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new SafetensorsError(file, '__metadata__ must be an object of strings');
  for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new SafetensorsError(file, `__metadata__."${k}" must be a string, got ${JSON.stringify(v)}`);
  }
  return { ...(entry as Record<string, string>) };
}

/** Tensors must cover [0, dataBytes) exactly once: report overlaps, gaps and trailing bytes. */
function checkTiling(file: string, spans: Array<{ key: string; begin: number; end: number }>, dataBytes: number): void {
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let prevKey = '';
  for (const s of spans) {
    if (s.begin < cursor) throw new SafetensorsError(file, `tensor "${s.key}": data_offsets [${s.begin}, ${s.end}] overlap tensor "${prevKey}" (ends at ${cursor})`);
    if (s.begin > cursor) throw new SafetensorsError(file, `tensor "${s.key}": misaligned data_offsets: starts at ${s.begin} but the previous tensor ends at ${cursor} (gap of ${s.begin - cursor} bytes)`);
    cursor = s.end;
    prevKey = s.key;
  }
  if (cursor !== dataBytes) throw new SafetensorsError(file, `data section has ${dataBytes} bytes but the tensors cover ${cursor}`);
}
