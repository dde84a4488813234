/**
 * Progress per stage: a cli-progress bar (step/total, ETA, img/s, current losses) when stderr
 * is a terminal; plain lines (about 20 per stage, and the last step) otherwise, so logs and CI
 * output stay readable.
 */
import cliProgress from 'cli-progress';
import type { StepRecord } from './stage-session.js';

export interface ProgressOptions {
  /** Force the bar on/off (default: stderr is a TTY). */
  tty?: boolean;
  /** Where plain lines go (default: stderr). */
  write?: (line: string) => void;
  /** No output at all. */
  quiet?: boolean;
}

export class StageProgress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly t0 = performance.now();
  private images = 0;
  private readonly every: number;
  private readonly write: (line: string) => void;

  constructor(
    readonly stage: string,
    readonly total: number,
    private readonly startStep: number,
    private readonly opts: ProgressOptions = {},
  ) {
    this.write = opts.write ?? ((l) => process.stderr.write(`${l}\n`));
    this.every = Math.max(1, Math.ceil(total / 20));
    if (!opts.quiet && (opts.tty ?? process.stderr.isTTY === true)) {
      this.bar = new cliProgress.SingleBar(
        { format: `${stage.padEnd(8)} [{bar}] {value}/{total} | ETA {eta_formatted} | {ips} img/s | {losses}`, hideCursor: true, etaBuffer: 20, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, startStep, { ips: '-', losses: '' });
    }
  }

  update(rec: StepRecord): void {
    this.images += rec.samples;
    const done = rec.step + 1;
    const secs = (performance.now() - this.t0) / 1000;
    const ips = secs > 0 ? (this.images / secs).toFixed(1) : '-';
    const losses = formatLosses(rec);
    if (this.opts.quiet) return;
    if (this.bar) {
      this.bar.update(done, { ips, losses });
      return;
    }
    if (done % this.every === 0 || done === this.total || done === this.startStep + 1) {
      const left = this.total - done;
      const rate = (done - this.startStep) / Math.max(secs, 1e-9);
      this.write(`[${this.stage}] step ${done}/${this.total} | ${losses} | ${ips} img/s | ETA ${left > 0 ? `${Math.round(left / rate)} s` : '0 s'}`);
    }
  }

  stop(): void {
    this.bar?.stop();
  }
}

export function formatLosses(rec: StepRecord): string {
  const parts = [`loss ${fmt(rec.loss)}`, ...Object.entries(rec.losses).map(([k, v]) => `${k} ${fmt(v)}`)];
  if (rec.alpha !== undefined) parts.push(`α ${rec.alpha.toFixed(2)}`);
  if (rec.lossScale !== 1) parts.push(`scale ${rec.lossScale}`);
  return parts.join(' ');
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(3) : String(v);
}
