// Fuzz of the `babelrs-hmap` command line: valid invocations with arguments dropped,
// duplicated, swapped, paths replaced (missing, a folder, below /proc), and flags added that
// conflict or do not apply. Every run must end with exit 0, or 1 (input) / 2 (usage) and
// exactly one line on stderr (no stack); never exit 3 (internal error) or a throw. Reordering
// flag/value pairs must give the same output. Input files are covered by formats.fuzz.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../packages/metrics-hmap/src/cli-main.ts';
import { FUZZ_SEED, OUTCOMES, report, RUNS, type Outcome, type Tally } from './harness.js';

const STD = fileURLToPath(new URL('../../fixtures/metrics-cases/std/', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-fuzz-cli-'));
const tallies: Tally[] = [];
afterAll(() => {
  report(tallies);
  fs.rmSync(tmp, { recursive: true, force: true });
});

const coco = (c: string): string[] => ['--gt', path.join(STD, c, 'gt_coco.json'), '--dets', path.join(STD, c, 'dets_coco.json')];
const dota = (c: string): string[] => ['--gt', path.join(STD, c, 'labelTxt'), '--dets', path.join(STD, c, 'dets')];
const BASES: string[][] = [
  ['--protocol', 'coco', ...coco('coco_map_50_95'), '--modalities', path.join(STD, 'coco_map_50_95', 'modalities.json')],
  ['--protocol', 'voc07', ...coco('hbb_voc07_11pt_b'), '--legacy-plus1'],
  ['--protocol', 'dota', ...dota('obb_dota_voc07'), '--dota-all-point'],
  ['--modality', `rgb:soi:${path.join(STD, 'obb_soi_map_50_95', 'labelTxt')}:${path.join(STD, 'obb_soi_map_50_95', 'dets')}`, '--modality', `sar:voc:${path.join(STD, 'hbb_voc_area_a', 'gt_coco.json')}:${path.join(STD, 'hbb_voc_area_a', 'dets_coco.json')}`],
];
const EXTRA: string[][] = [
  ['--legacy-plus1'], ['--dota-all-point'], ['--soi-difficult-ignored'], ['--soi-drop-images-without-gt'], ['--quiet'], ['--debug'],
  ['--json', '/proc/no-such/dir/out.json'], ['--json', path.join(tmp, 'out', 'r.json')], ['--json', tmp], ['--classes', ''], ['--classes', 'ship,ship'],
  ['--classes', 'plane,ship'], ['--protocol', 'bogus'], ['--protocol', 'soi'], ['--modality', 'x'], ['--modality', 'a:coco:b:c'], ['--no-such-flag'], ['--gt'], ['--help'],
];
const BAD_PATHS = [path.join(tmp, 'missing.json'), tmp, '/proc/no-such/file.json', '', path.join(STD, 'coco_map_50_95', 'expected.json'), path.join(STD, 'obb_dota_voc07', 'labelTxt', 'img_0000.txt')];

type Run = { code: number; out: string; err: string; threw?: unknown };
function run(argv: string[]): Run {
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } catch (threw) {
    return { code: -1, out: out.join('\n'), err: err.join('\n'), threw };
  }
}

/** Moves the (a mod n)-th `--flag value` pair to the end: the same command (a repeated flag keeps its order). */
function reorder(argv: string[], a: number): string[] {
  const pairs: string[][] = [];
  for (let i = 0; i < argv.length; i++) pairs.push(argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? [argv[i], argv[++i]] : [argv[i]]);
  const once = pairs.map((p, i) => i).filter((i) => pairs.filter((p) => p[0] === pairs[i][0]).length === 1);
  if (!once.length) return argv;
  const k = once[a % once.length];
  return [...pairs.slice(0, k), ...pairs.slice(k + 1), pairs[k]].flat();
}

function mutate(argv: string[], op: number, a: number, b: number): string[] {
  const x = [...argv];
  const k = a % x.length;
  switch (op % 5) {
    case 0: x.splice(k, 1); return x;
    case 1: x.splice(k, 0, x[k]); return x;
    case 2: if (k + 1 < x.length) [x[k], x[k + 1]] = [x[k + 1], x[k]]; return x;
    case 3: { const paths = x.map((v, i) => [v, i] as const).filter(([v]) => v.startsWith('/') || v.includes(':/')); if (!paths.length) return x; x[paths[a % paths.length][1]] = BAD_PATHS[b % BAD_PATHS.length]; return x; }
    default: return [...x, ...EXTRA[b % EXTRA.length]];
  }
}

describe('fuzz: babelrs-hmap CLI', () => {
  it('every mutated command line exits 0, 1 or 2 with one clear line, never a stack or an internal error', async () => {
    const tally: Tally = { target: '`babelrs-hmap` CLI', inputs: 0, counts: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>, maxMs: 0, located: 0, examples: [] };
    const baselines = BASES.map((argv) => run(argv));
    for (const b of baselines) expect(b.code, b.err).toBe(0);
    try {
      fc.assert(
        fc.property(fc.record({ base: fc.nat({ max: BASES.length - 1 }), benign: fc.boolean(), op: fc.nat(), a: fc.nat(), b: fc.nat() }), (c) => {
          const argv = c.benign ? reorder(BASES[c.base], c.a) : mutate(BASES[c.base], c.op, c.a, c.b);
          const t0 = performance.now();
          const r = run(argv);
          const ms = performance.now() - t0;
          tally.maxMs = Math.max(tally.maxMs, ms);
          const debug = argv.includes('--debug');
          let outcome: Outcome;
          if (ms > 10_000) outcome = 'hang';
          else if (r.threw !== undefined || r.code === 3 || ![0, 1, 2].includes(r.code)) outcome = 'crash';
          else if (c.benign) outcome = r.code === 0 && r.out === baselines[c.base].out ? 'read correctly' : 'silently wrong';
          else if (r.code === 0) outcome = 'read correctly';
          else outcome = (debug || r.err.split('\n').length === 1) && /^(babelrs-hmap: |error: )/.test(r.err) ? 'clear error' : 'vague error';
        // The CLI's "location" is the flag or the path it names.
        if (outcome === 'clear error' && /--[a-z]|\//.test(r.err)) tally.located++;
          tally.inputs++;
          tally.counts[outcome]++;
          const failed = outcome !== 'read correctly' && outcome !== 'clear error';
          if (failed && tally.examples.length < 5) tally.examples.push(`${outcome}: ${JSON.stringify(argv)} → ${r.code} ${r.err.slice(0, 300)} ${String(r.threw ?? '')}`);
          return !failed;
        }),
        { numRuns: RUNS, seed: FUZZ_SEED, endOnFailure: true },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${tally.examples.join('\n')}`);
    }
    tallies.push(tally);
    expect(tally.examples, tally.examples.join('\n')).toEqual([]);
    expect(tally.inputs).toBeGreaterThanOrEqual(200);
  });
});
