/**
 * `babelrs demo`: parses and checks the command-line options, then runs `runDemo`. Every bad
 * value is reported with the option's name and what is expected.
 */
import { parseBackendPreference, parsePrecision, type BackendPreference, type Precision } from '@babelrs/core';
import { DEMO_DEFAULTS, runDemo, type DemoOptions } from '../demo/run-demo.js';

/** Options as commander hands them over (strings from the command line). */
export interface DemoCliOptions {
  out?: string;
  seed?: string;
  images?: string;
  steps?: string;
  batch?: string;
  precision?: string;
  backend?: string;
}

/** A command-line mistake: printed without a stack trace, exit code 2. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

export function parseDemoOptions(raw: DemoCliOptions): DemoOptions {
  const opts: DemoOptions = {};
  if (raw.out !== undefined) {
    if (raw.out.trim() === '') throw new CliUsageError('--out: expected a folder path, got an empty string');
    opts.out = raw.out;
  }
  if (raw.seed !== undefined) opts.seed = parseInteger(raw.seed, '--seed', 0);
  if (raw.images !== undefined) opts.images = parseInteger(raw.images, '--images', 10, 'so that the train and test splits each get an image');
  if (raw.steps !== undefined) opts.steps = parseInteger(raw.steps, '--steps', 1);
  if (raw.batch !== undefined) {
    const batch = parseInteger(raw.batch, '--batch', 4);
    if (batch % 4 !== 0) throw new CliUsageError(`--batch: must be a multiple of 4 (each 4 crops are 2 SAR, 1 RGB, 1 IR), got ${batch}`);
    opts.batch = batch;
  }
  if (raw.precision !== undefined) opts.precision = wrap(() => parsePrecision(raw.precision!, '--precision')) as Precision;
  if (raw.backend !== undefined) opts.backend = wrap(() => parseBackendPreference(raw.backend!, '--backend')) as BackendPreference;
  return opts;
}

export async function demoCommand(raw: DemoCliOptions, log: (line: string) => void = console.log): Promise<number> {
  const opts = parseDemoOptions(raw);
  await runDemo({ ...opts, log, progress: true });
  return 0;
}

/** Help text defaults, kept next to the parser so they cannot drift from `DEMO_DEFAULTS`. */
export const DEMO_HELP_DEFAULTS = DEMO_DEFAULTS;

function parseInteger(text: string, flag: string, min: number, why = ''): number {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new CliUsageError(`${flag}: expected an integer, got ${JSON.stringify(text)}`);
  const v = Number(t);
  if (!Number.isSafeInteger(v) || v < min) throw new CliUsageError(`${flag}: must be an integer ≥ ${min}${why ? ` (${why})` : ''}, got ${text}`);
  return v;
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
}
