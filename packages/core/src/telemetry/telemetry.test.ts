import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Telemetry } from './emitter.js';
import type { StepEvent, TelemetryEvent } from './events.js';
import { jsonlSink, parseTelemetryJsonl } from './jsonl-sink.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-telemetry-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const fixedClock = () => new Date('2026-01-02T03:04:05.000Z');
const step = (n: number, loss: number): Omit<StepEvent, never> => ({ type: 'step', step: n, loss, gradNorm: 1.5, lossScale: 65536, overflow: false, skipped: false, lr: 1e-4, stepMs: 12 });

describe('Telemetry', () => {
  it('delivers stamped events to all and to typed subscribers; unsubscribe works', () => {
    const t = new Telemetry('run-1', fixedClock);
    const all: TelemetryEvent[] = [];
    const losses: number[] = [];
    const offAll = t.on((e) => all.push(e));
    t.on('step', (e) => losses.push(e.loss));
    t.emit(step(1, 0.5));
    t.emit({ type: 'eval', step: 1, metrics: { mAP: 0.4 } });
    offAll();
    t.emit(step(2, 0.25));
    expect(all).toEqual([
      { ...step(1, 0.5), time: '2026-01-02T03:04:05.000Z', run: 'run-1' },
      { type: 'eval', step: 1, metrics: { mAP: 0.4 }, time: '2026-01-02T03:04:05.000Z', run: 'run-1' },
    ]);
    expect(losses).toEqual([0.5, 0.25]);
  });

  it('JSONL sink appends one complete JSON object per line and keeps NaN/Inf', () => {
    const file = path.join(dir, 'log.jsonl');
    fs.writeFileSync(file, `${JSON.stringify({ type: 'log', level: 'info', message: 'earlier run', time: 'x' })}\n`);
    const t = new Telemetry(undefined, fixedClock);
    t.addSink(jsonlSink(file));
    t.emit(step(1, 0.5));
    // Visible line by line while training runs (not buffered until close)
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    t.emit({ ...step(2, Number.NaN), gradNorm: Infinity, overflow: true, skipped: true, losses: { sar: Number.NaN, rgb: 0.3 } });
    t.emit({ type: 'log', level: 'warn', message: 'NaN', step: 2 });
    t.emit({ type: 'checkpoint', step: 2, path: 'ckpt/step2.safetensors', bytes: 1024 });
    t.close();
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    for (const l of lines.slice(0, -1)) expect(() => JSON.parse(l)).not.toThrow();
    const events = parseTelemetryJsonl(fs.readFileSync(file, 'utf8'), file);
    expect(events.map((e) => e.type)).toEqual(['log', 'step', 'step', 'log', 'checkpoint']);
    const blown = events[2] as StepEvent;
    expect(Number.isNaN(blown.loss)).toBe(true);
    expect(blown.gradNorm).toBe(Infinity);
    expect(Number.isNaN(blown.losses!.sar)).toBe(true);
    expect(blown.losses!.rgb).toBe(0.3);
    expect((events[3] as { message: string }).message).toBe('NaN'); // strings stay strings
  });

  it('parse errors name the file and line', () => {
    expect(() => parseTelemetryJsonl('{"type":"step"}\n{oops', 'train.jsonl')).toThrow(/train\.jsonl line 2: not valid JSON/);
    expect(() => parseTelemetryJsonl('{"type":"weird"}', 'train.jsonl')).toThrow(/train\.jsonl line 1: field "type" must be one of/);
  });

  it('reads logs with a byte-order mark and CRLF line ends (saved by an editor)', () => {
    const text = '\uFEFF{"type":"step","step":1,"loss":"NaN"}\r\n{"type":"log","level":"info","message":"x"}\r\n';
    const events = parseTelemetryJsonl(text, 'edited.jsonl');
    expect(events.map((e) => e.type)).toEqual(['step', 'log']);
    expect(Number.isNaN((events[0] as { loss: number }).loss)).toBe(true);
  });

  it('a closed sink refuses writes', () => {
    const sink = jsonlSink(path.join(dir, 'closed.jsonl'), { append: false });
    sink.close!();
    expect(() => sink.write({ type: 'log', level: 'info', message: 'x', time: 't' })).toThrow(/write after close/);
  });
});
