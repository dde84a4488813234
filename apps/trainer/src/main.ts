/**
 * The `babelrs` program (commander): `info` and `demo` today; stage 1 (CSIA + LVSA pretraining),
 * stage 2 (joint detection fine-tuning), `eval`, `predict` and `ablate` come with later issues.
 * `runCli` never calls process.exit, so tests run it in-process and read the exit code.
 */
import { Command, CommanderError, Option } from 'commander';
import { BACKEND_PREFERENCES, PRECISIONS } from '@babelrs/core';
import { CliUsageError, DEMO_HELP_DEFAULTS, demoCommand, type DemoCliOptions } from './commands/demo.js';
import { infoCommand } from './commands/info.js';
import packageJson from '../package.json' with { type: 'json' };

export interface CliIo {
  /** Normal output (default: console.log). */
  out?: (line: string) => void;
  /** Errors and help on misuse (default: console.error). */
  err?: (line: string) => void;
}

/** Exit code for a command-line mistake (unknown option, bad value). */
export const EXIT_USAGE = 2;

export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => console.log(line));
  const err = io.err ?? ((line: string) => console.error(line));
  let code = 0;
  const program = buildProgram(out, err, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE; // commander already printed it
    if (e instanceof CliUsageError) {
      err(`babelrs: ${e.message}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

function buildProgram(out: (l: string) => void, err: (l: string) => void, setCode: (c: number) => void): Command {
  const program = new Command('babelrs')
    .description('BabelRS in TypeScript: language-pivoted pretraining and joint multi-modal (SAR/RGB/IR) detection.\nToday: `info` and `demo`; stage 1, stage 2, eval, predict and ablate are planned.')
    .version(packageJson.version, '-V, --version', 'print the @babelrs/trainer version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s.replace(/\n$/, '')), writeErr: (s) => err(s.replace(/\n$/, '')) })
    .showHelpAfterError('(run babelrs --help for usage)');

  program
    .command('info')
    .description('which tfjs backend this machine gets, and why faster ones were skipped')
    .addOption(new Option('--backend <name>', 'backend to try').choices(BACKEND_PREFERENCES))
    .option('--json', 'print the report as JSON')
    .action(async (o: { backend?: (typeof BACKEND_PREFERENCES)[number]; json?: boolean }) => setCode(await infoCommand(o, out)));

  const d = DEMO_HELP_DEFAULTS;
  program
    .command('demo')
    .description('the smallest real end-to-end run (NOT the BabelRS detector yet): synthetic mini-SOI → object crops → one shared encoder + concept head → per-modality accuracy and oracle-box mAP / H-mAP')
    .option('--out <dir>', 'output folder (data in <dir>/data, reused when the options match)', d.out)
    .option('--seed <n>', 'seed for data, initialisation and batch order', String(d.seed))
    .option('--images <n>', 'synthetic images per modality (≥ 10)', String(d.images))
    .option('--steps <n>', 'training steps', String(d.steps))
    .option('--batch <n>', 'crops per batch, a multiple of 4 (SAR:RGB:IR = 2:1:1)', String(d.batch))
    .option('--precision <p>', `precision policy: ${PRECISIONS.join(' | ')} (fp16/bf16 are emulated)`, d.precision)
    .option('--backend <name>', `tfjs backend: ${BACKEND_PREFERENCES.join(' | ')} (default: $BABELRS_BACKEND, else auto)`)
    .action(async (o: DemoCliOptions) => setCode(await demoCommand(o, out)));

  return program;
}
