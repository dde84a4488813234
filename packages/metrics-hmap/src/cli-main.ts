/**
 * `babelrs-hmap`: evaluate detections with a protocol, per modality, with H-mAP.
 *
 *   babelrs-hmap --protocol coco --gt gt.json --dets dets.json --modalities modalities.json --json out.json
 *   babelrs-hmap --protocol soi --gt labelTxt/ --dets task1/ --modalities modalities.json
 *   babelrs-hmap --modality sar:coco:sar/gt.json:sar/dets.json --modality rgb:soi:dota/labelTxt:dota/task1 --json out.json
 */
import { Command, CommanderError, Option } from 'commander';
import { writeFileAtomic } from './atomic-write.js';
import { MetricsInputError } from './errors.js';
import { evaluateByModality, evaluateModalityDatasets, type ModalityDataset, type ModalityEvaluation } from './modality-evaluation.js';
import type { ProtocolOptions } from './protocols/evaluate.js';
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
}

function parseProtocol(p: string, where: string): ProtocolName {
  if (!(PROTOCOL_NAMES as readonly string[]).includes(p)) throw new MetricsInputError(where, `unknown protocol "${p}" (${PROTOCOL_NAMES.join(', ')})`);
  return p as ProtocolName;
}

/** `name:protocol:gt:dets` → one per-modality dataset. */
function parseModalitySpec(spec: string, opts: ProtocolOptions): ModalityDataset {
  const parts = spec.split(':');
  if (parts.length !== 4 || parts.some((p) => p === '')) {
    throw new MetricsInputError(`--modality ${spec}`, 'expected <name>:<protocol>:<gt>:<dets>, e.g. sar:coco:gt.json:dets.json');
  }
  const [modality, protocol, gt, dets] = parts;
  const parsed = parseProtocol(protocol, `--modality ${spec}`);
  const dataset = loadDataset({ gt, dets, modality });
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
    if (o.gt || o.dets || o.modalities) throw new MetricsInputError('arguments', 'use either --modality (repeatable) or --gt/--dets/--modalities, not both');
    // Each --modality names its own protocol; a --protocol next to it would be silently unused.
    if (o.protocol) throw new MetricsInputError('--protocol', 'not with --modality: each <name>:<protocol>:<gt>:<dets> names its own protocol');
    // Modalities have their own label spaces (SAR `ship` is not DOTA `ship`): one list cannot fit all.
    if (classes) throw new MetricsInputError('--classes', 'not with --modality: each modality takes its classes from its own files');
    return evaluateModalityDatasets(o.modality.map((s) => parseModalitySpec(s, popts)));
  }
  if (!o.protocol || !o.gt || !o.dets) throw new MetricsInputError('arguments', 'need --protocol, --gt and --dets (or one --modality per modality)');
  const ds = loadDataset({ gt: o.gt, dets: o.dets, classes, modalitiesFile: o.modalities });
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
    .option('--quiet', 'do not print the table')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
}

/** The CLI as a function: argv without `node` and the script; returns the exit code. */
export function main(argv: readonly string[], io: CliIo = defaultIo): number {
  const program = buildProgram(io);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  const o = program.opts<CliOptions>();
  try {
    const ev = run(o);
    if (!o.quiet) io.out(formatReport(ev));
    if (o.json) writeJson(o.json, reportJson(ev));
    return 0;
  } catch (err) {
    if (err instanceof MetricsInputError) {
      io.err(`babelrs-hmap: ${err.message}`);
      return 1;
    }
    // Anything else is a bug or an environment problem: still one clear line and exit 1
    // (not a crash), with the stack for the bug report.
    const e = err as Error;
    io.err(`babelrs-hmap: unexpected error: ${e?.message ?? String(err)}${e?.stack ? `\n${e.stack}` : ''}`);
    return 1;
  }
}

/** `--json` output; a write failure (missing permission, a folder in the way) names the file. */
function writeJson(file: string, doc: Record<string, unknown>): void {
  try {
    writeFileAtomic(file, JSON.stringify(doc, null, 2) + '\n');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new MetricsInputError(`--json ${file}`, `cannot write the result (${code ?? (err as Error).message})`);
  }
}
