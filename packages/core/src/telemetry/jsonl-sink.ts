import fs from 'node:fs';
import path from 'node:path';
import type { TelemetrySink } from './emitter.js';
import { TELEMETRY_EVENT_TYPES, type TelemetryEvent } from './events.js';

/**
 * Appends each event as ONE line of JSON (written with a single `write` on a file opened for
 * append, so a crash leaves complete lines only). JSON has no NaN/Infinity: non-finite numbers
 * are written as the strings "NaN", "Infinity", "-Infinity" and restored by `parseTelemetryJsonl`.
 */
export function jsonlSink(file: string, opts: { append?: boolean } = {}): TelemetrySink {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let fd: number | null = fs.openSync(file, opts.append === false ? 'w' : 'a');
  return {
    write(event) {
      if (fd === null) throw new Error(`jsonlSink ${file}: write after close`);
      fs.writeSync(fd, `${stringifyEvent(event)}\n`);
    },
    close() {
      if (fd !== null) fs.closeSync(fd);
      fd = null;
    },
  };
}

export function stringifyEvent(event: TelemetryEvent): string {
  return JSON.stringify(event, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };
/** Fields that are numbers in the event types (so "NaN" there means the number NaN). */
const NUMERIC_FIELDS = new Set(['loss', 'gradNorm', 'lossScale', 'lr', 'stepMs']);

/** Parses a JSONL telemetry log; errors name the file and line. Blank lines are skipped. */
export function parseTelemetryJsonl(text: string, file = '<telemetry>'): TelemetryEvent[] {
  const out: TelemetryEvent[] = [];
  // A log opened and saved by an editor may have gained a byte-order mark (CRLF is fine: JSON
  // treats the trailing \r as whitespace).
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  body.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let ev: unknown;
    try {
      ev = JSON.parse(line, function (this: unknown, key: string, v: unknown) {
        const inMap = this !== null && typeof this === 'object' && !Array.isArray(this) && !('type' in (this as object));
        if (typeof v === 'string' && v in NON_FINITE && (NUMERIC_FIELDS.has(key) || inMap)) return NON_FINITE[v];
        return v;
      });
    } catch (e) {
      throw new Error(`${file} line ${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    const type = (ev as { type?: unknown })?.type;
    if (typeof type !== 'string' || !(TELEMETRY_EVENT_TYPES as readonly string[]).includes(type)) {
      throw new Error(`${file} line ${i + 1}: field "type" must be one of ${TELEMETRY_EVENT_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
    }
    out.push(ev as TelemetryEvent);
  });
  return out;
}
