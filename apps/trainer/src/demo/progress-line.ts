/**
 * A one-line training progress display fed by telemetry step events. On a terminal it redraws
 * in place; otherwise (logs, CI) it prints a line every `every` steps so logs stay short.
 * Written here instead of using cli-progress, whose package ships no TypeScript types.
 */
import type { StepEvent } from '@babelrs/core';

export interface ProgressLineOptions {
  total: number;
  write?: (text: string) => void;
  /** Redraw in place with `\r` (default: stdout is a TTY). */
  tty?: boolean;
  /** Non-TTY: print every this many steps (default: total / 10). */
  every?: number;
}

export class ProgressLine {
  private readonly write: (text: string) => void;
  private readonly tty: boolean;
  private readonly every: number;
  private readonly started = performance.now();

  constructor(private readonly opts: ProgressLineOptions) {
    this.write = opts.write ?? ((t) => process.stdout.write(t));
    this.tty = opts.tty ?? Boolean(process.stdout.isTTY);
    this.every = Math.max(1, opts.every ?? Math.ceil(opts.total / 10));
  }

  update(ev: StepEvent): void {
    const done = ev.step + 1;
    const last = done === this.opts.total;
    if (!this.tty && !last && done % this.every !== 0) return;
    const line = formatProgress(ev, this.opts.total, (performance.now() - this.started) / 1000);
    this.write(this.tty ? `\r${line}\x1b[K${last ? '\n' : ''}` : `${line}\n`);
  }
}

/** `[#####-----] 120/300 loss 1.234 |g| 0.87 scale 65536 lr 1.9e-3 skipped 0  4.1s` */
export function formatProgress(ev: StepEvent, total: number, elapsedS: number): string {
  const width = 20;
  const filled = Math.round(((ev.step + 1) / total) * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const norm = ev.gradNorm === null ? '  -  ' : ev.gradNorm.toFixed(2);
  const flags = ev.skipped ? ' SKIPPED (overflow)' : '';
  return `${bar} ${ev.step + 1}/${total} loss ${ev.loss.toFixed(3)} |g| ${norm} scale ${ev.lossScale} lr ${ev.lr.toExponential(1)}${flags}  ${elapsedS.toFixed(1)}s`;
}
