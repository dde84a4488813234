/**
 * `npm run bench:references`: babelrs-hmap side by side with the reference evaluators on the
 * same files, whole process (start-up, file reading, evaluation), each under `/usr/bin/time -v`
 * for its peak RSS, back to back in this one run. Writes bench/results/metrics-vs-references.json.
 *
 * References (installed by `install-references.sh <source-root>` into a cache folder outside
 * the repository; a missing one is reported and skipped):
 *   pycocotools 2.0.11  COCO mAP@[.5:.95]           vs  babelrs-hmap --protocol coco
 *   mmdet eval_map      VOC all-point, IoU 0.5, HBB  vs  babelrs-hmap --protocol voc
 *   DOTA devkit task 1  VOC07 11-point, OBB          vs  babelrs-hmap --protocol dota
 *
 * Environment: BENCH_REF_IMAGES (default 5000: the size the references run at),
 * BENCH_SCALE_IMAGES (default 20000: babelrs-hmap alone, for the time/memory scaling),
 * BENCH_BIG_RESULTS_GIB (default 2; 0 skips the big streaming case), BENCH_WORK_DIR (default
 * $TMPDIR/babelrs-bench-references), BABELRS_REFERENCES (the cache folder), PYTHON,
 * BENCH_PROTOCOLS (default `coco,voc,dota`: which side-by-side runs, and which protocols the
 * scaling run covers; a subset writes its result next to the case files, not over
 * bench/results/metrics-vs-references.json, and runs the big COCO file only if coco is in it).
 * Needs the built CLI (`npx nx build @babelrs/metrics-hmap`; the npm script builds it first).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo, writeBenchResult } from '../lib.js';
import { DOTA_CLASSES, writeBigResults, writeCase, type CaseFiles } from './case-files.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const cli = path.join(root, 'packages/metrics-hmap/dist/cli.js');
const refs = process.env.BABELRS_REFERENCES ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'babelrs/references');
const python = process.env.PYTHON ?? '/usr/bin/python3';
const work = process.env.BENCH_WORK_DIR ?? path.join(os.tmpdir(), 'babelrs-bench-references');
const refImages = Number(process.env.BENCH_REF_IMAGES ?? 5000);
const scaleImages = Number(process.env.BENCH_SCALE_IMAGES ?? 20000);
const bigGiB = Number(process.env.BENCH_BIG_RESULTS_GIB ?? 2);
const PER_IMAGE = { gtsPerImage: 50, detsPerImage: 200 };
const ALL_PROTOCOLS = ['coco', 'voc', 'dota'] as const;
type Protocol = (typeof ALL_PROTOCOLS)[number];
const protocols = parseProtocols(process.env.BENCH_PROTOCOLS);
const subset = protocols.length < ALL_PROTOCOLS.length;

function parseProtocols(env: string | undefined): Protocol[] {
  if (env === undefined || env.trim() === '') return [...ALL_PROTOCOLS];
  const names = env.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = names.filter((n) => !(ALL_PROTOCOLS as readonly string[]).includes(n));
  if (bad.length > 0 || names.length === 0) throw new Error(`bench:references: BENCH_PROTOCOLS=${env}: expected a comma-separated subset of ${ALL_PROTOCOLS.join(',')}`);
  return ALL_PROTOCOLS.filter((p) => names.includes(p));
}

interface Measured {
  tool: string;
  command: string;
  wallSeconds: number;
  peakRssMiB: number;
  /** User + system CPU seconds (children included): less sensitive to other jobs than wall time. */
  cpuSeconds: number;
  exitCode: number;
  mAP?: number;
  AP50?: number;
  error?: string;
}

/** Runs `cmd` under /usr/bin/time -v; parses peak RSS; the tool's last stdout line is JSON (refs). */
function measure(tool: string, cmd: string[], env: Record<string, string> = {}): Measured {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', ...cmd], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallSeconds = (performance.now() - t0) / 1000;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  const cpu = ['User', 'System'].map((k) => Number(new RegExp(`${k} time \\(seconds\\): ([\\d.]+)`).exec(r.stderr ?? '')?.[1] ?? Number.NaN));
  const out: Measured = { tool, command: cmd.map((c) => path.relative(root, c).startsWith('..') ? c : path.relative(root, c) || c).join(' '), wallSeconds, peakRssMiB: rss ? Math.round(Number(rss[1]) / 1024) : Number.NaN, cpuSeconds: cpu[0] + cpu[1], exitCode: r.status ?? -1 };
  if (r.status !== 0) out.error = (r.stderr ?? '').split('\n').filter((l) => l && !l.startsWith('\t')).slice(-3).join(' | ');
  const last = (r.stdout ?? '').trim().split('\n').pop();
  if (last?.startsWith('{')) Object.assign(out, JSON.parse(last));
  return out;
}

function babelrs(protocol: string, gt: string, dets: string, label: string): Measured {
  const json = path.join(work, `babelrs-${label}.json`);
  fs.rmSync(json, { force: true });
  const m = measure(`babelrs-hmap --protocol ${protocol}`, ['node', cli, '--protocol', protocol, '--gt', gt, '--dets', dets, '--quiet', '--json', json]);
  if (fs.existsSync(json)) {
    const doc = JSON.parse(fs.readFileSync(json, 'utf8')) as { mAP: number; AP50?: number };
    m.mAP = doc.mAP;
    if (doc.AP50 !== undefined && doc.AP50 !== null) m.AP50 = doc.AP50;
  }
  return m;
}

function have(p: string): boolean {
  return fs.existsSync(path.join(refs, p));
}

/**
 * mmdet stores each class AP as float32 and averages them in float32, so its mAP carries
 * float32 rounding (~6e-8 relative); pycocotools and the devkit work in float64, where only the
 * order of a sum may differ (~1e-15).
 */
function pair(name: string, ours: Measured, ref: Measured | { skipped: string }, tolerance = 1e-12): Record<string, unknown> {
  if ('skipped' in ref) return { protocol: name, babelrs: ours, reference: ref };
  const agree = ours.mAP !== undefined && ref.mAP !== undefined ? Math.abs(ours.mAP - ref.mAP) : Number.NaN;
  return {
    protocol: name,
    babelrs: ours,
    reference: ref,
    speedup: ref.wallSeconds / ours.wallSeconds,
    speedupCpu: ref.cpuSeconds / ours.cpuSeconds,
    rssRatio: ref.peakRssMiB / ours.peakRssMiB,
    mAPAbsDiff: agree,
    mAPTolerance: tolerance,
    mAPAgree: agree <= tolerance,
  };
}

function referenceRuns(files: CaseFiles): Record<string, unknown>[] {
  const drivers = path.join(here, 'drivers');
  const runs: Record<Protocol, () => Record<string, unknown>> = {
    coco: () => {
      const coco = babelrs('coco', files.cocoGt, files.cocoDets, 'coco');
      return pair('coco mAP@[.5:.95]', coco, have('cocoapi/PythonAPI/pycocotools')
        ? measure('pycocotools 2.0.11 (COCO + loadRes + evaluate + accumulate)', [python, path.join(drivers, 'pycocotools_bbox.py'), files.cocoGt, files.cocoDets], { PYTHONPATH: path.join(refs, 'cocoapi/PythonAPI') })
        : { skipped: `pycocotools not installed in ${refs} (run bench/references/install-references.sh)` });
    },
    voc: () => {
      const voc = babelrs('voc', files.cocoGt, files.cocoDets, 'voc');
      return pair('voc all-point, IoU 0.5, HBB', voc, have('mmdet_eval/mmdet_functional/mean_ap.py')
        ? measure('mmdet eval_map (Pool of 2)', [python, path.join(drivers, 'mmdet_eval_map.py'), files.cocoGt, files.cocoDets], { PYTHONPATH: path.join(refs, 'mmdet_eval') })
        : { skipped: `mmdet eval_map not installed in ${refs}` }, 1e-6);
    },
    dota: () => {
      const dota = babelrs('dota', files.dotaLabels, files.dotaDets, 'dota');
      return pair('dota task 1 (VOC07 11-point, OBB)', dota, have('DOTA_devkit/dota_evaluation_task1.py')
        ? measure('DOTA devkit task1', [python, path.join(drivers, 'dota_devkit_task1.py'), files.dotaLabels, files.dotaDets, files.imageset, DOTA_CLASSES.join(',')], { PYTHONPATH: path.join(refs, 'DOTA_devkit') })
        : { skipped: `DOTA devkit not installed in ${refs}` });
    },
  };
  return protocols.map((p) => {
    console.log(`bench:references: ${refImages} images — ${p}`);
    return runs[p]();
  });
}

function main(): void {
  if (!fs.existsSync(cli)) throw new Error(`bench:references: ${cli} is missing; build first (npx nx build @babelrs/metrics-hmap)`);
  if (!fs.existsSync('/usr/bin/time')) throw new Error('bench:references: /usr/bin/time is missing (apt-get install time)');
  const loadAtStart = os.loadavg();
  const t0 = Date.now();
  const small = writeCase(path.join(work, `n${refImages}`), { numImages: refImages, ...PER_IMAGE, seed: 1 });
  console.log(`bench:references: wrote ${refImages}-image case (${(small.bytes / 2 ** 20).toFixed(0)} MiB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const sideBySide = referenceRuns(small);

  const scaling: Record<string, unknown>[] = [];
  if (scaleImages > 0) {
    const big = writeCase(path.join(work, `n${scaleImages}`), { numImages: scaleImages, ...PER_IMAGE, seed: 2 });
    console.log(`bench:references: ${scaleImages} images (${(big.bytes / 2 ** 20).toFixed(0)} MiB), babelrs-hmap alone`);
    for (const [protocol, gt, dets] of [['coco', big.cocoGt, big.cocoDets], ['voc', big.cocoGt, big.cocoDets], ['dota', big.dotaLabels, big.dotaDets]] as const) {
      if (!protocols.includes(protocol)) continue;
      const at5k = sideBySide.find((r) => String(r.protocol).startsWith(protocol))?.babelrs as Measured;
      const atN = babelrs(protocol, gt, dets, `${protocol}-${scaleImages}`);
      const sizeRatio = scaleImages / refImages;
      scaling.push({ protocol, images: [refImages, scaleImages], wallSeconds: [at5k.wallSeconds, atN.wallSeconds], cpuSeconds: [at5k.cpuSeconds, atN.cpuSeconds], peakRssMiB: [at5k.peakRssMiB, atN.peakRssMiB], timeRatio: atN.wallSeconds / at5k.wallSeconds, cpuRatio: atN.cpuSeconds / at5k.cpuSeconds, rssRatio: atN.peakRssMiB / at5k.peakRssMiB, sizeRatio, run: atN });
    }
    fs.rmSync(big.dir, { recursive: true, force: true });
  }

  let bigResults: Record<string, unknown> | undefined;
  if (bigGiB > 0 && protocols.includes('coco')) {
    const file = path.join(work, 'big_results.json');
    const bytes = writeBigResults(file, refImages, bigGiB, 3);
    console.log(`bench:references: ${(bytes / 2 ** 30).toFixed(2)} GiB COCO results file`);
    const m = babelrs('coco', small.cocoGt, file, 'big');
    bigResults = { fileGiB: bytes / 2 ** 30, ...m, under1_5GB: m.peakRssMiB < 1536 };
    fs.rmSync(file, { force: true });
  }

  const result = {
    name: 'metrics-vs-references',
    ...(subset ? { protocols } : {}),
    machine: machineInfo(),
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: os.loadavg(),
    case: { numImages: refImages, classes: DOTA_CLASSES.length, ...PER_IMAGE, seed: 1 },
    referencesDir: refs,
    referencePatches: fs.existsSync(path.join(refs, 'PATCHES.txt')) ? fs.readFileSync(path.join(refs, 'PATCHES.txt'), 'utf8').trim().split('\n') : [],
    note: 'whole process per tool (start-up + reading the same files + evaluation), /usr/bin/time -v peak RSS, run back to back in one bench run; references patched only to sort tied scores stably (see referencePatches)',
    goals: { pycocotools: '>= 20x', dotaDevkit: '>= 20x', mmdetEvalMap: '>= 10x', rss: 'below each reference', bigResults: '2 GiB results under 1.5 GB RSS' },
    sideBySide,
    scaling,
    bigResults,
  };
  // A subset is a check, not the record: it goes next to the case files.
  const file = subset ? writeSubsetResult(result) : writeBenchResult('metrics-vs-references', result);
  console.log(`bench:references: wrote ${file}`);
  for (const r of sideBySide) {
    const ref = r.reference as Measured & { skipped?: string };
    const ours = r.babelrs as Measured;
    console.log(`  ${String(r.protocol).padEnd(36)} ours ${ours.wallSeconds.toFixed(2)} s / ${ours.peakRssMiB} MiB  ` + (ref.skipped ? `(${ref.skipped})` : `ref ${ref.wallSeconds.toFixed(2)} s / ${ref.peakRssMiB} MiB  ×${(r.speedup as number).toFixed(1)}  mAP ${ours.mAP} vs ${ref.mAP}`));
  }
}

function writeSubsetResult(result: Record<string, unknown>): string {
  const file = path.join(work, `metrics-vs-references.${protocols.join('-')}.json`);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(result, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

main();
