/**
 * The fuzz harness (issue 15): every reader gets valid files mutated at random — fields dropped,
 * numbers bent, bytes cut or inserted, encodings changed, line endings changed, nesting
 * deepened — through fast-check (seeded: `BABELRS_FUZZ_SEED`, default below), and each outcome
 * is sorted as in the table:
 * - benign mutation (same content, other bytes: line endings, BOM, whitespace, key order) →
 *   must read to the same result as the original ("read correctly"), else "silently wrong"
 *   (or "benign refused" when it throws);
 * - any other mutation → either reads, and the result must satisfy the format's invariants
 *   (finite numbers, flags in range, references resolved…; else "silently wrong"), or throws
 *   our error type naming the file ("clear error"; without the file: "vague error"; any other
 *   error type, a TypeError or RangeError: "crash");
 * - more than `HANG_MS` for one input: "hang".
 * `npm test` runs `BASE_RUNS` inputs per reader; `npm run fuzz` sets `BABELRS_FUZZ_SCALE=10`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';

export const FUZZ_SCALE = Math.max(1, Number(process.env.BABELRS_FUZZ_SCALE ?? '1'));
export const FUZZ_SEED = Number(process.env.BABELRS_FUZZ_SEED ?? '20261207');
export const BASE_RUNS = 200;
export const RUNS = BASE_RUNS * FUZZ_SCALE;
/** One input taking longer than this is a hang (the readers take milliseconds). */
export const HANG_MS = 10_000;

export const OUTCOMES = ['read correctly', 'clear error', 'vague error', 'silently wrong', 'benign refused', 'crash', 'hang'] as const;
export type Outcome = (typeof OUTCOMES)[number];
const FAILURES: ReadonlySet<Outcome> = new Set(['vague error', 'silently wrong', 'benign refused', 'crash', 'hang']);

export interface Tally {
  target: string;
  inputs: number;
  counts: Record<Outcome, number>;
  maxMs: number;
  /** Clear errors that also name a line or a field (the rest are whole-file problems: encoding, top level, size). */
  located: number;
  examples: string[];
}

/** Numbers bent into what annotation files get wrong: hex, overflow, empty, NaN, huge ids, locale commas… */
export const BENT_NUMBERS = ['0x10', '1e999', '', 'NaN', 'Infinity', '-1', '1.5', '9007199254740993', '+1', '1e1', '.5', '1,5', '٣', '-0', '1e-400', 'null', '"7"', 'true', '2', '3', '-1e308', '0b1'];

export type TextOp = (text: string, a: number, b: number) => string;
export type ByteOp = (bytes: Uint8Array, a: number, b: number) => Uint8Array;

export interface FuzzTarget<T> {
  name: string;
  /** File extension of the mutants (readers may look at it). */
  ext: string;
  /** Valid files, as bytes. */
  bases: Uint8Array[];
  read(file: string): T | Promise<T>;
  /** The comparable content of a result (no file names or line numbers). */
  normalize(result: T): unknown;
  /** Why an accepted result is wrong (a NaN coordinate, an unresolved id…), or undefined. */
  invariant(result: T): string | undefined;
  /** Mutations that keep the content: the result must equal the original's. */
  benign: TextOp[];
  /** Format-specific harmful mutations (dropping a field, nesting…), added to the generic ones. */
  harmful?: TextOp[];
  /** Binary formats: byte-level mutations (benign / harmful) instead of the text ones. */
  binary?: { benign: ByteOp[]; harmful: ByteOp[] };
  /** Our error type(s) for this reader. */
  isOurError(err: unknown): err is Error;
  /** Whether an error message names the file (default: contains the mutant's base name). */
  namesFile?(err: Error, file: string): boolean;
}

const td = new TextDecoder();

/** Byte-level mutations for every format: cut, delete, insert, flip. */
export const BYTE_OPS: ByteOp[] = [
  (x, a) => x.subarray(0, a % (x.length + 1)),
  (x, a, b) => splice(x, a % (x.length + 1), 1 + (b % 32), new Uint8Array(0)),
  (x, a, b) => splice(x, a % (x.length + 1), 0, Uint8Array.from({ length: 1 + (b % 6) }, (_, i) => (b * (i + 7) * 2654435761) >>> 24)),
  (x, a, b) => (x.length ? splice(x, a % x.length, 1, Uint8Array.of(x[a % x.length] ^ (1 + (b % 255)))) : x),
];

/** Generic text-level mutations, used for every text format (after the byte ones). */
const GENERIC: { name: string; bytes: ByteOp }[] = [
  ...BYTE_OPS.map((bytes, i) => ({ name: ['cut', 'delete-range', 'insert-bytes', 'flip-byte'][i], bytes })),
  { name: 'utf16', bytes: (x) => Buffer.from('\ufeff' + td.decode(x), 'utf16le') },
  { name: 'latin1', bytes: (x, a) => { const t = td.decode(x); const k = a % (t.length + 1); return Buffer.from(t.slice(0, k) + 'é' + t.slice(k), 'latin1'); } },
  { name: 'bend-number', bytes: (x, a, b) => Buffer.from(bendNumber(td.decode(x), a, b)) },
  { name: 'dup-line', bytes: (x, a) => Buffer.from(dupLine(td.decode(x), a)) },
];

export function splice(x: Uint8Array, at: number, del: number, ins: Uint8Array): Uint8Array {
  return Buffer.concat([x.subarray(0, at), ins, x.subarray(Math.min(x.length, at + del))]);
}

/** Replaces the (a mod n)-th number of the text by a bent one. */
export function bendNumber(text: string, a: number, b: number): string {
  const re = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g;
  const hits = [...text.matchAll(re)];
  if (hits.length === 0) return text;
  const m = hits[a % hits.length];
  return text.slice(0, m.index) + BENT_NUMBERS[b % BENT_NUMBERS.length] + text.slice(m.index! + m[0].length);
}

function dupLine(text: string, a: number): string {
  const lines = text.split('\n');
  const k = a % lines.length;
  lines.splice(k, 0, lines[k]);
  return lines.join('\n');
}

/** Line-ending and encoding-mark changes: benign for every text format here. */
export const EOL_OPS: TextOp[] = [
  (t) => t.replace(/\r?\n/g, '\r\n'),
  (t) => t.replace(/\r?\n/g, '\r'),
  (t) => '\ufeff' + t,
  (t, a) => {
    // One LF (the a-th) becomes CR: a mixed file still has the same lines.
    let k = 0;
    const n = (t.match(/\n/g) ?? []).length;
    const target = n ? a % n : -1;
    return t.replace(/\n/g, (m) => (k++ === target ? '\r' : m));
  },
];

interface Case {
  base: number;
  benign: boolean;
  op: number;
  a: number;
  b: number;
}

/** Runs the fuzz for one target; returns its tally (the caller asserts and reports). */
export async function fuzzTarget<T>(t: FuzzTarget<T>, runs = RUNS): Promise<Tally> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `babelrs-fuzz-${t.name.replace(/\W+/g, '-')}-`));
  const tally: Tally = { target: t.name, inputs: 0, counts: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>, maxMs: 0, located: 0, examples: [] };
  const harmful: ByteOp[] = t.binary
    ? [...BYTE_OPS, ...t.binary.harmful]
    : [...GENERIC.map((g) => g.bytes), ...(t.harmful ?? []).map((op) => (x: Uint8Array, a: number, b: number) => Buffer.from(op(td.decode(x), a, b)))];
  const benignOps: ByteOp[] = t.binary ? t.binary.benign : t.benign.map((op) => (x: Uint8Array, a: number, b: number) => Buffer.from(op(td.decode(x), a, b)));
  const baselines: unknown[] = [];
  for (let i = 0; i < t.bases.length; i++) {
    const file = path.join(dir, `base${i}${t.ext}`);
    fs.writeFileSync(file, t.bases[i]);
    const r = await t.read(file);
    const bad = t.invariant(r);
    if (bad) throw new Error(`${t.name}: base file ${i} breaks the invariant: ${bad}`);
    baselines.push(t.normalize(r));
  }
  const arb = fc.record({
    base: fc.nat({ max: t.bases.length - 1 }),
    benign: fc.boolean(),
    op: fc.nat(),
    a: fc.nat(),
    b: fc.nat(),
  });
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(arb, async (c: Case) => {
        const base = t.bases[c.base];
        const benign = c.benign && benignOps.length > 0;
        const bytes = benign ? benignOps[c.op % benignOps.length](base, c.a, c.b) : harmful[c.op % harmful.length](base, c.a, c.b);
        const file = path.join(dir, `case${n++}${t.ext}`);
        fs.writeFileSync(file, bytes);
        const outcome = await classify(t, file, benign, baselines[c.base], tally);
        tally.inputs++;
        tally.counts[outcome]++;
        if (FAILURES.has(outcome) && tally.examples.length < 5) tally.examples.push(`${outcome}: case ${JSON.stringify(c)} → ${file}`);
        if (!FAILURES.has(outcome)) fs.rmSync(file, { force: true });
        return !FAILURES.has(outcome);
      }),
      { numRuns: runs, seed: FUZZ_SEED, endOnFailure: true },
    );
  } catch (err) {
    throw new Error(`${t.name}: ${(err as Error).message}\n${tally.examples.join('\n')}`);
  }
  fs.rmSync(dir, { recursive: true, force: true }); // kept on failure, for the report
  return tally;
}

async function classify<T>(t: FuzzTarget<T>, file: string, benign: boolean, baseline: unknown, tally: Tally): Promise<Outcome> {
  const t0 = performance.now();
  let result: T;
  try {
    result = await t.read(file);
  } catch (err) {
    const ms = performance.now() - t0;
    tally.maxMs = Math.max(tally.maxMs, ms);
    if (ms > HANG_MS) return 'hang';
    if (!t.isOurError(err)) {
      tally.examples.length < 5 && tally.examples.push(`crash: ${(err as Error)?.name}: ${(err as Error)?.message?.slice(0, 200)}`);
      return 'crash';
    }
    const names = t.namesFile ? t.namesFile(err, file) : err.message.includes(path.basename(file));
    if (!names) return 'vague error';
    const loc = err as { line?: number; field?: string };
    if (!benign && (loc.line !== undefined || loc.field !== undefined)) tally.located++;
    return benign ? 'benign refused' : 'clear error';
  }
  const ms = performance.now() - t0;
  tally.maxMs = Math.max(tally.maxMs, ms);
  if (ms > HANG_MS) return 'hang';
  if (benign) return isDeepStrictEqual(t.normalize(result), baseline) ? 'read correctly' : 'silently wrong';
  return t.invariant(result) === undefined ? 'read correctly' : 'silently wrong';
}

/** The table row for a tally. */
export function tableRow(t: Tally): string {
  const c = t.counts;
  return `| ${t.target} | ${t.inputs} | ${c['read correctly']} | ${c['clear error']} (${t.located}) | ${c['vague error']} | ${c['silently wrong'] + c['benign refused']} | ${c.crash + c.hang} | ${t.maxMs.toFixed(0)} ms |`;
}

export const TABLE_HEADER =
  '| target | inputs | read correctly | clear error naming the file (of which with line / field) | vague error | silently wrong | hang / crash | slowest input |\n|---|---|---|---|---|---|---|---|';

/** Prints the rows (and appends them to `BABELRS_FUZZ_REPORT` when set). */
export function report(tallies: Tally[]): void {
  const text = [TABLE_HEADER, ...tallies.map(tableRow)].join('\n');
  console.log(`fuzz (seed ${FUZZ_SEED}, ×${FUZZ_SCALE}):\n${text}`);
  if (process.env.BABELRS_FUZZ_REPORT) fs.appendFileSync(process.env.BABELRS_FUZZ_REPORT, tallies.map(tableRow).join('\n') + '\n');
}

/** Finite-number check for invariants. */
export function allFinite(values: Iterable<number>): boolean {
  for (const v of values) if (!Number.isFinite(v)) return false;
  return true;
}

/** Whitespace-only reformatting ops for text formats with space-separated fields. */
export const SPACING_OPS: TextOp[] = [
  (t) => t.replace(/ /g, '  '),
  (t) => t.replace(/ /g, '\t'),
  (t) => t.replace(/^/gm, ' ').replace(/\r?$/gm, (m) => ` ${m}`),
  (t) => `${t}\n\n\n`,
  (t) => t.replace(/\n$/, ''),
];

/** Drops the (a mod n)-th whitespace-separated field of a line with at least 2. */
export const dropField: TextOp = (t, a) => {
  const lines = t.split('\n');
  const candidates = lines.map((l, i) => [l, i] as const).filter(([l]) => l.trim().split(/\s+/).length > 1);
  if (!candidates.length) return t;
  const [line, i] = candidates[a % candidates.length];
  const fields = line.trim().split(/\s+/);
  fields.splice(a % fields.length, 1);
  lines[i] = fields.join(' ');
  return lines.join('\n');
};
