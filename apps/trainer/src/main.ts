/**
 * The `babelrs` program (commander). `runCli` never calls process.exit: it returns the exit code,
 * so tests run the whole CLI in-process. It is the one error boundary: every error — including
 * one thrown inside a tfjs callback, which Node reports as an uncaught exception — becomes one
 * line `babelrs: <message>` and an exit code (usage 2, input 1, training stopped 3,
 * interrupted 130); the stack only with --debug.
 */
import { Command, CommanderError, Option } from 'commander';
import { BACKEND_PREFERENCES } from '@babelrs/core';
import packageJson from '../package.json' with { type: 'json' };
import { ablateCommand } from './commands/ablate.js';
import { withCommonFlags, withConfigFlags, type Io } from './commands/common.js';
import { dataStatsCommand, dataSynthCommand, dataTileCommand } from './commands/data.js';
import { evalCommand } from './commands/eval.js';
import { infoCommand } from './commands/info.js';
import { predictCommand } from './commands/predict.js';
import { runCommand, type RunMode } from './commands/run.js';
import { EXIT_USAGE, exitCodeOf, oneLine } from './errors.js';

export interface CliIo {
  /** Normal output (default: console.log). */
  out?: (line: string) => void;
  /** Progress, errors and help on misuse (default: console.error). */
  err?: (line: string) => void;
}

export { EXIT_USAGE };

export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => console.log(line));
  const err = io.err ?? ((line: string) => console.error(line));
  const debug = argv.includes('--debug');
  let code = 0;
  const program = buildProgram({ out, err }, (c) => {
    code = c;
  });
  // tfjs-wasm runs some work in callbacks: an exception there escapes every try/catch.
  let onEscape: ((e: unknown) => void) | undefined;
  const escaped = new Promise<never>((_, reject) => {
    onEscape = (e: unknown) => reject(e);
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
  });
  try {
    await Promise.race([program.parseAsync([...argv], { from: 'user' }), escaped]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE; // commander printed it
    err(`babelrs: ${oneLine(e)}`);
    if (debug && e instanceof Error && e.stack) err(e.stack);
    return exitCodeOf(e);
  } finally {
    process.off('uncaughtException', onEscape!);
    process.off('unhandledRejection', onEscape!);
  }
}

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

function buildProgram(io: Io, setCode: (c: number) => void): Command {
  const program = new Command('babelrs')
    .description('BabelRS in TypeScript: language-pivoted pretraining (CSIA + LVSA) and joint multi-modal (SAR / RGB / IR) detection.\nExit codes: 0 ok, 1 bad input (file, dataset, config, checkpoint), 2 usage, 3 training stopped (non-finite loss), 130 interrupted.')
    .version(packageJson.version, '-V, --version', 'print the @babelrs/trainer version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .showHelpAfterError('(run babelrs --help for usage)')
    .addHelpText('after', examples('babelrs run', 'babelrs run --preset soi-det-small --set data.root=/data/SOI-Det --out runs/small', 'babelrs ablate --fusion last,lvsa --pretraining on,off'));
  const act = <A extends unknown[]>(fn: (...a: A) => Promise<number>) => async (...a: A) => setCode(await fn(...a));

  const stageCommand = (name: RunMode, description: string, ex: string[]) => {
    const cmd = withCommonFlags(withConfigFlags(program.command(name).description(description)))
      .addOption(new Option('--out <dir>', 'run folder (default: runs/<config name>, or runs/<config name>-2, -3, … when that holds a run)').conflicts('resume'))
      .addOption(new Option('--resume <dir>', 'continue an interrupted run from its newest checkpoint (its own config.yaml is used)').conflicts(['preset', 'config', 'set', 'seed', 'backend']))
      .addHelpText('after', examples(...ex));
    return cmd;
  };
  stageCommand('run', 'the main job: data (mini-SOI generated if absent) → stage 1 pretraining → stage 2 joint fine-tuning → evaluation → metrics.json + report.html', [
    'babelrs run                                   # mini-soi preset, runs/mini-soi',
    'babelrs run --set finetune.steps=100 --seed 1 --out runs/try',
    'babelrs run -c my.yaml                        # my.yaml: `extends: mini-soi` + changed keys',
    'babelrs run --resume runs/try                 # after Ctrl-C',
  ])
    .alias('demo')
    .action(act((o) => runCommand(o, 'run', io)));
  stageCommand('pretrain', 'stage 1 only: CSIA instruction pretraining with LVSA; writes <out>/pretrain/vit.safetensors', ['babelrs pretrain --out runs/stage1', 'babelrs pretrain --set pretrain.steps=2000 --set pretrain.tau=600']).action(
    act((o) => runCommand(o, 'pretrain', io)),
  );
  stageCommand('finetune', 'stage 2 only: joint multi-modal fine-tuning + evaluation, from a pretrained ViT (--init) or from scratch (--init none: the no-pretraining baseline)', [
    'babelrs finetune --init runs/stage1/pretrain/vit.safetensors --out runs/stage2',
    'babelrs finetune --init none --out runs/baseline',
  ])
    .addOption(new Option('--init <vit.safetensors|none>', 'ViT weights to start from, or none (default: none)').conflicts('resume'))
    .action(act((o) => runCommand(o, 'finetune', io)));

  withCommonFlags(withConfigFlags(program.command('eval').description('evaluate a trained detector (per-modality AP50 / mAP, overall mAP, H-mAP) and write the result files')))
    .argument('[run]', 'a run folder (uses its config.yaml and finetune/model.safetensors)')
    .option('--weights <file>', 'detector weights (safetensors) instead of a run folder')
    .option('--split <name>', 'split to evaluate (default: the config\'s data.evalSplit)')
    .option('--out <dir>', 'folder for the result files (default: <run>/eval/cli)')
    .option('--json', 'print the numbers as JSON')
    .addHelpText('after', examples('babelrs eval runs/mini-soi', 'babelrs eval --weights model.safetensors --preset mini-soi --split val'))
    .action(act((run, o) => evalCommand(run, o, io)));

  withCommonFlags(withConfigFlags(program.command('predict').description('detect objects in image files: PNGs with the boxes drawn, COCO results JSON (SAR) and DOTA Task1 files (RGB / IR)')))
    .argument('<images...>', 'image files (PNG, JPEG, TIFF)')
    .addOption(new Option('--run <dir>', 'a run folder (its config and finetune/model.safetensors)').conflicts(['preset', 'config']))
    .option('--weights <file>', 'detector weights (safetensors)')
    .option('--modality <m>', 'sar | rgb | ir (default: from a sar/rgb/ir folder in each path)')
    .option('--out <dir>', 'output folder', 'predictions')
    .addHelpText('after', examples('babelrs predict --run runs/mini-soi runs/data/mini-soi/rgb/images/test/*.png', 'babelrs predict --run runs/mini-soi --modality sar scene.tif --out preds'))
    .action(act((images, o) => predictCommand(images, o, io)));

  const data = program.command('data').description('datasets: make the synthetic set, tile DOTA images, count what a dataset holds');
  withCommonFlags(data.command('synth').description('generate the built-in synthetic mini-SOI set (SAR COCO JSON, RGB / IR DOTA txt) in the SOI-Det layout'))
    .requiredOption('--out <dir>', 'dataset folder')
    .option('--images <n>', 'images per modality', '200')
    .option('--image-size <px>', 'square image side', '128')
    .option('--seed <n>', 'seed', '0')
    .option('--difficulty <0..1>', 'noise and object size (0 easy … 1 hard)', '0.2')
    .addHelpText('after', examples('babelrs data synth --out data/mini-soi --images 300'))
    .action(act((o) => dataSynthCommand(o.out, o, io)));
  withCommonFlags(data.command('tile').description('split a DOTA folder (images/, labelTxt/) into tiles the way SOI-Det does (devkit rules: objects cut by an edge marked difficult)'))
    .argument('<src>', 'DOTA folder with images/ and labelTxt/')
    .argument('<out>', 'output folder')
    .option('--size <px>', 'tile side', '800')
    .option('--gap <px>', 'overlap of neighbouring tiles', '200')
    .addHelpText('after', examples('babelrs data tile DOTA/train data/SOI-Det/rgb/train-tiles'))
    .action(act((src, out, o) => dataTileCommand(src, out, o, io)));
  withCommonFlags(data.command('stats').description('images, objects and classes per modality and split of an SOI-Det layout (reads every annotation strictly)'))
    .argument('<root>', 'dataset folder')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('babelrs data stats runs/data/mini-soi'))
    .action(act((root, o) => dataStatsCommand(root, o, io)));

  withCommonFlags(withConfigFlags(program.command('ablate').description('run a matrix of config variants and tabulate per-modality AP50 / mAP, mAP and H-mAP (table.md, table.csv, table.json)')))
    .option('--fusion <list>', `fusion variants, e.g. last,lvsa (of ${['last', 'concat', 'sum', 'per-layer-projectors', 'lvsa'].join(', ')})`)
    .option('--pretraining <list>', 'on, off or on,off')
    .option('--head <mod=list>', 'head types of one modality, e.g. rgb=rotated-fcos,oriented-rcnn (repeatable)', (v: string, p: string[] = []) => [...p, v], [])
    .option('--axis <key=list>', 'any config key and its values, e.g. finetune.lr=1e-3,3e-4 (repeatable)', (v: string, p: string[] = []) => [...p, v], [])
    .option('--out <dir>', 'ablation folder (default: runs/ablate-<config name>)')
    .addHelpText('after', examples('babelrs ablate                                   # the five fusions of the paper', 'babelrs ablate --fusion last,lvsa --pretraining on,off', 'babelrs ablate --head rgb=rotated-fcos,oriented-rcnn --set finetune.steps=300'))
    .action(act((o) => ablateCommand(o, io)));

  program
    .command('info')
    .description('which tfjs backend this machine gets, and why faster ones were skipped')
    .addOption(new Option('--backend <name>', 'backend to try').choices(BACKEND_PREFERENCES))
    .option('--json', 'print the report as JSON')
    .addHelpText('after', examples('babelrs info', 'babelrs info --backend wasm --json'))
    .action(act((o) => infoCommand(o, io.out)));
  return program;
}
