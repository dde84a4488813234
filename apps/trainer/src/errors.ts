/**
 * The CLI's error kinds and exit codes. Every user mistake becomes ONE line naming the file,
 * key or flag; a stack trace is printed only with `--debug`.
 *
 * Exit codes: 0 ok · 1 bad input (a file, a dataset, a config value, a checkpoint) · 2 usage
 * (a flag or its value) · 3 training stopped (persistent non-finite loss) · 130 interrupted
 * (Ctrl-C; a checkpoint was saved).
 */
export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;
export const EXIT_TRAINING = 3;
export const EXIT_INTERRUPTED = 130;

/** A command-line mistake (flag, flag value, conflicting flags): exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bad input found in a file, folder, config or checkpoint: exit 1. The message names it. */
export class InputError extends Error {
  override name = 'InputError';
}

/** Training could not go on (e.g. NaN loss in fp32): exit 3. */
export class TrainingStoppedError extends Error {
  override name = 'TrainingStoppedError';
}

/** Ctrl-C: the runner saved a checkpoint and stopped at a step boundary: exit 130. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

/** Exit code for any thrown value: our kinds by class, everything else counts as input (1). */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return EXIT_USAGE;
  if (err instanceof TrainingStoppedError) return EXIT_TRAINING;
  if (err instanceof InterruptedError) return EXIT_INTERRUPTED;
  return EXIT_INPUT;
}

/**
 * One line for the user. Node's system errors (`ENOENT: no such file or directory, open 'x'`)
 * are reworded to name the path first; other messages are kept, first line only.
 */
export function oneLine(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const sys = err as NodeJS.ErrnoException;
  if (typeof sys.code === 'string' && typeof sys.path === 'string') {
    const what: Record<string, string> = {
      ENOENT: 'no such file or folder',
      EACCES: 'permission denied',
      EPERM: 'operation not permitted',
      ENOTDIR: 'a part of the path is not a folder',
      EISDIR: 'is a folder, expected a file',
      EROFS: 'read-only file system',
      ENOSPC: 'no space left on device',
      EEXIST: 'already exists',
    };
    return `${sys.path}: ${what[sys.code] ?? sys.code} (${sys.syscall ?? 'io'})`;
  }
  const first = (err.message || err.name).split('\n')[0];
  // Our own kinds carry a self-contained message; others keep their class name for context.
  return err instanceof UsageError || err instanceof InputError || err instanceof TrainingStoppedError || err instanceof InterruptedError || err.name === 'Error'
    ? first
    : `${err.name}: ${first}`;
}
