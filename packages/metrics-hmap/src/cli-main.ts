/**
 * `babelrs-hmap`: evaluate detections with a protocol, per modality, with H-mAP.
 *
 * Exit codes (README): 0 success; 1 bad input (a file or field: one line naming it);
 * 2 usage (unknown, missing or conflicting flags); 3 internal error (a bug: please report it,
 * with the stack that `--debug` prints). Errors are one line; stacks only with `--debug`.
 *
 *   babelrs-hmap --protocol coco --gt gt.json --dets dets.json --modalities modalities.json --json out.json
 *   babelrs-hmap --protocol soi --gt labelTxt/ --dets task1/ --modalities modalities.json
 *   babelrs-hmap --modality sar:coco:sar/gt.json:sar/dets.json --modality rgb:soi:dota/labelTxt:dota/task1 --json out.json
 */
import { Command, CommanderError, Option } from 'commander';
import path from 'node:path';
import { ensureDir, FormatError, writeFileAtomic } from '@babelrs/formats';
import { MetricsInputError, UsageError } from './errors.js';
import { evaluateByModality, evaluateModalityDatasets, type ModalityDataset, type ModalityEvaluation } from './modality-evaluation.js';
import type { ProtocolOptions } from './protocols/evaluate.js';
import { COCO_MAX_DETS } from './protocols/coco.js';
import { loadDataset } from './readers/load-dataset.js';
import { formatReport, reportJson } from './report.js';
import { PROTOCOL_NAMES, type ProtocolName } from './types.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: CliIo = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') };

interface CliOptions {
  protocol?: ProtocolName;
  gt?: string;
  dets?: string;
  modalities?: string;
  modality: string[];
  classes?: string;
  json?: string;
  legacyPlus1?: boolean;
  dotaAllPoint?: boolean;
  soiDifficultIgnored?: boolean;
  soiDropImagesWithoutGt?: boolean;
  quiet?: boolean;
  debug?: boolean;
}

/** Exit codes, as the README documents them. */
export const EXIT = { ok: 0, input: 1, usage: 2, internal: 3 } as const;

function parseProtocol(p: string, where: string): ProtocolName {
  if (!(PROTOCOL_NAMES as readonly string[]).includes(p)) throw new UsageError(where, `unknown protocol "${p}" (${PROTOCOL_NAMES.join(', ')})`);
  return p as ProtocolName;
}

interface ModalitySpec {
  spec: string;
  modality: string;
  protocol: ProtocolName;
  gt: string;
  dets: string;
}

/** `name:protocol:gt:dets`, checked before any file is read. */
function parseModalitySpec(spec: string): ModalitySpec {
  const parts = spec.split(':');
  if (parts.length !== 4 || parts.some((p) => p === '')) {
    throw new UsageError(`--modality ${spec}`, 'expected <name>:<protocol>:<gt>:<dets>, e.g. sar:coco:gt.json:dets.json');
  }
  const [modality, protocol, gt, dets] = parts;
  return { spec, modality, protocol: parseProtocol(protocol, `--modality ${spec}`), gt, dets };
}

/** Protocol-specific flags are refused when no evaluated protocol would use them (else silently ignored). */
const FLAG_PROTOCOLS: readonly [keyof CliOptions, string, readonly ProtocolName[]][] = [
  ['legacyPlus1', '--legacy-plus1', ['voc', 'voc07']],
  ['dotaAllPoint', '--dota-all-point', ['dota']],
  ['soiDifficultIgnored', '--soi-difficult-ignored', ['soi']],
  ['soiDropImagesWithoutGt', '--soi-drop-images-without-gt', ['soi']],
];

function checkFlagsFit(o: CliOptions, protocols: readonly ProtocolName[]): void {
  for (const [key, flag, wants] of FLAG_PROTOCOLS) {
    if (o[key] && !protocols.some((p) => wants.includes(p))) {
      throw new UsageError(flag, `only applies to protocol ${wants.join(' / ')}, not ${[...new Set(protocols)].join(', ')}`);
    }
  }
  if (o.quiet && !o.json) throw new UsageError('--quiet', 'without --json the result would go nowhere');
}

/**
 * coco: only the best 100 detections per (image, category) can count (pycocotools' maxDets),
 * so the reader keeps just those — a results file of any size in bounded memory, same scores.
 */
function cutFor(protocol: ProtocolName): number | undefined {
  return protocol === 'coco' ? COCO_MAX_DETS[COCO_MAX_DETS.length - 1] : undefined;
}

function loadModality(s: ModalitySpec, opts: ProtocolOptions): ModalityDataset {
  const { spec, modality, protocol: parsed, gt, dets } = s;
  const dataset = loadDataset({ gt, dets, modality, maxDetsPerImageClass: cutFor(parsed) });
  // Say which --modality is wrong (the protocol's own message cannot know).
  if (parsed === 'coco' && dataset.geometry !== 'hbb') {
    throw new MetricsInputError(`--modality ${spec}`, 'the coco protocol needs COCO JSON (horizontal boxes), got DOTA polygons; use soi, dota, voc or voc07');
  }
  return { modality, protocol: parsed, dataset, options: opts };
}

function run(o: CliOptions): ModalityEvaluation {
  const classes = o.classes ? o.classes.split(',').map((s) => s.trim()).filter((s) => s !== '') : undefined;
  const popts: ProtocolOptions = {
    legacyPlusOne: o.legacyPlus1,
    use07Metric: !o.dotaAllPoint,
    difficult: o.soiDifficultIgnored ? 'ignore' : 'as-gt',
    dropImagesWithoutGt: o.soiDropImagesWithoutGt,
  };
  if (o.modality.length > 0) {
    if (o.gt || o.dets || o.modalities) throw new UsageError('--modality', 'use either --modality (repeatable) or --gt/--dets/--modalities, not both');
    // Each --modality names its own protocol; a --protocol next to it would be silently unused.
    if (o.protocol) throw new UsageError('--protocol', 'not with --modality: each <name>:<protocol>:<gt>:<dets> names its own protocol');
    // Modalities have their own label spaces (SAR `ship` is not DOTA `ship`): one list cannot fit all.
    if (classes) throw new UsageError('--classes', 'not with --modality: each modality takes its classes from its own files');
    const specs = o.modality.map(parseModalitySpec);
    checkFlagsFit(o, specs.map((s) => s.protocol));
    prepareOutput(o.json);
    return evaluateModalityDatasets(specs.map((s) => loadModality(s, popts)));
  }
  if (!o.protocol || !o.gt || !o.dets) {
    const missing = [!o.protocol && '--protocol', !o.gt && '--gt', !o.dets && '--dets'].filter(Boolean).join(', ');
    throw new UsageError('arguments', `missing ${missing} (or give one --modality <name>:<protocol>:<gt>:<dets> per modality)`);
  }
  if (o.classes !== undefined && !classes?.length) throw new UsageError('--classes', 'empty class list');
  checkFlagsFit(o, [o.protocol]);
  prepareOutput(o.json);
  const ds = loadDataset({ gt: o.gt, dets: o.dets, classes, modalitiesFile: o.modalities, maxDetsPerImageClass: cutFor(o.protocol) });
  return evaluateByModality(ds, o.protocol, popts);
}

function buildProgram(io: CliIo): Command {
  return new Command('babelrs-hmap')
    .description('Detection mAP (voc07, voc, dota, coco, soi), per modality, global, and H-mAP')
    .addOption(new Option('--protocol <name>', 'evaluation protocol').choices([...PROTOCOL_NAMES]))
    .option('--gt <path>', 'ground truth: COCO instances JSON, or a DOTA labelTxt/ folder')
    .option('--dets <path>', 'detections: COCO results JSON, or a folder of Task1_<class>.txt files')
    .option('--modalities <json>', 'JSON file {image name: modality}')
    .option('--modality <spec>', 'one dataset per modality: <name>:<protocol>:<gt>:<dets> (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--classes <list>', 'comma-separated class list (default: COCO categories / DOTA class names)')
    .option('--legacy-plus1', 'voc/voc07 on HBB: legacy pixel rule w = x2 - x1 + 1')
    .option('--dota-all-point', 'dota: all-point AP (devkit use_07_metric=False) instead of 11-point')
    .option('--soi-difficult-ignored', 'soi variant (not the SOI-Det rule): difficult GTs ignored, as the devkit does')
    .option('--soi-drop-images-without-gt', "soi variant: skip images without GT, as SM3Det's data loader does")
    .option('--json <file>', 'write the full result as JSON (atomically)')
    .option('--quiet', 'do not print the table (needs --json)')
    .option('--debug', 'print the stack of an error')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
}

/** The CLI as a function: argv without `node` and the script; returns the exit code. */
export function main(argv: readonly string[], io: CliIo = defaultIo): number {
  const program = buildProgram(io);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    // Commander already printed its one-line message (unknown option, missing value, bad choice).
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return report(err, io, argv.includes('--debug'));
  }
  const o = program.opts<CliOptions>();
  try {
    const ev = run(o);
    if (!o.quiet) io.out(formatReport(ev));
    if (o.json) writeJson(o.json, reportJson(ev));
    return EXIT.ok;
  } catch (err) {
    return report(err, io, o.debug === true);
  }
}

/** One line on stderr (plus the stack with --debug); returns the exit code for the error. */
function report(err: unknown, io: CliIo, debug: boolean): number {
  const stack = debug && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  if (err instanceof UsageError) {
    io.err(`babelrs-hmap: ${err.message} (see --help)${stack}`);
    return EXIT.usage;
  }
  if (err instanceof FormatError) {
    io.err(`babelrs-hmap: ${err.message}${stack}`);
    return EXIT.input;
  }
  // Anything else is a bug: still one clear line (not a crash); the stack with --debug.
  const e = err as Error;
  io.err(`babelrs-hmap: internal error: ${firstLine(e?.message ?? String(err))}${stack || ' (run with --debug for the stack, and please report it)'}`);
  return EXIT.internal;
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

/** Makes the --json folder before any work, so a path that cannot exist fails fast. */
function prepareOutput(file: string | undefined): void {
  if (!file) return;
  try {
    ensureDir(path.dirname(path.resolve(file)));
  } catch (err) {
    if (err instanceof FormatError) throw new MetricsInputError(`--json ${file}`, `cannot create the output folder ${err.file} (${err.reason})`);
    throw err;
  }
}

/** `--json` output; a write failure (missing permission, a folder in the way) names the file. */
function writeJson(file: string, doc: Record<string, unknown>): void {
  try {
    writeFileAtomic(file, JSON.stringify(doc, null, 2) + '\n');
  } catch (err) {
    if (err instanceof FormatError) throw new MetricsInputError(`--json ${file}`, `cannot write the result: ${err.reason}`);
    throw err;
  }
}
