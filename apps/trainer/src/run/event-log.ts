/**
 * The run's JSONL event log (`events.jsonl`): one JSON object per line, every step's telemetry
 * with its stage, plus stage, checkpoint, eval and log events. Appended line by line; a resumed
 * stage first drops the lines of steps after its checkpoint (rewritten atomically), so the log
 * reads like one uninterrupted run.
 */
import fs from 'node:fs';
import { writeAtomic } from './atomic-text.js';

export interface RunEvent {
  type: string;
  stage?: string;
  step?: number;
  [k: string]: unknown;
}

export class EventLog {
  constructor(readonly file: string) {}

  write(event: RunEvent): void {
    fs.appendFileSync(this.file, `${JSON.stringify({ ...event, time: new Date().toISOString() }, finiteReplacer)}\n`);
  }

  /** Keeps only the events for which `keep` is true (and drops a cut-off last line). */
  retain(keep: (e: RunEvent) => boolean): void {
    if (!fs.existsSync(this.file)) return;
    const kept = readEvents(this.file).filter(keep);
    writeAtomic(this.file, kept.map((e) => `${JSON.stringify(e, finiteReplacer)}\n`).join(''));
  }
}

/** Reads an events.jsonl; a cut-off last line (a crash mid-append) is skipped. */
export function readEvents(file: string): RunEvent[] {
  const out: RunEvent[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line, finiteReviver) as RunEvent);
    } catch {
      // only the last line can be partial; anything else is kept out too
    }
  }
  return out;
}

/** JSON has no NaN/Infinity: they are written as strings so a blow-up stays visible. */
function finiteReplacer(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

function finiteReviver(_k: string, v: unknown): unknown {
  return v === 'NaN' ? Number.NaN : v === 'Infinity' ? Number.POSITIVE_INFINITY : v === '-Infinity' ? Number.NEGATIVE_INFINITY : v;
}
