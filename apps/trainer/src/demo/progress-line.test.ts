import { describe, expect, it } from 'vitest';
import type { StepEvent } from '@babelrs/core';
import { ProgressLine, formatProgress } from './progress-line.js';

const ev = (step: number, over: Partial<StepEvent> = {}): StepEvent => ({ type: 'step', step, loss: 1.23456, gradNorm: 0.5, lossScale: 65536, overflow: false, skipped: false, lr: 0.002, stepMs: 10, ...over });

describe('formatProgress', () => {
  it('shows the bar, step, loss, gradient norm, loss scale and lr', () => {
    expect(formatProgress(ev(9), 20, 1.25)).toBe('[##########----------] 10/20 loss 1.235 |g| 0.50 scale 65536 lr 2.0e-3  1.3s');
  });

  it('flags a skipped (overflowed) step', () => {
    expect(formatProgress(ev(0, { gradNorm: null, skipped: true, overflow: true }), 20, 0)).toMatch(/\|g\|\s+-\s+scale .* SKIPPED \(overflow\)/);
  });
});

describe('ProgressLine', () => {
  it('off a terminal, prints every `every` steps and the last one', () => {
    const lines: string[] = [];
    const p = new ProgressLine({ total: 7, every: 3, tty: false, write: (t) => lines.push(t) });
    for (let s = 0; s < 7; s++) p.update(ev(s));
    expect(lines.map((l) => l.match(/ (\d+)\/7 /)![1])).toEqual(['3', '6', '7']);
  });

  it('on a terminal, redraws in place and ends with a newline', () => {
    const out: string[] = [];
    const p = new ProgressLine({ total: 2, tty: true, write: (t) => out.push(t) });
    p.update(ev(0));
    p.update(ev(1));
    expect(out[0].startsWith('\r')).toBe(true);
    expect(out[0].endsWith('\n')).toBe(false);
    expect(out[1].endsWith('\n')).toBe(true);
  });
});
