/**
 * Errors people can act on: which file, which line or field, what was expected.
 * `FormatError: labelTxt/P0001.txt line 7: expected 10 fields (8 coordinates, class, difficult), got 9`
 * Every reader of this package throws only this type for bad input (the fuzz suite checks it).
 */
export interface FormatErrorLocation {
  file: string;
  /** 1-based line number, for text formats (and XML). */
  line?: number;
  /** JSON path or XML element path (`annotations[12].bbox`, `annotation/object[0]/name`). */
  field?: string;
}

export class FormatError extends Error {
  override readonly name: string = 'FormatError';
  readonly file: string;
  readonly line?: number;
  readonly field?: string;
  /** The message without the location prefix. */
  readonly reason: string;

  constructor(where: FormatErrorLocation, reason: string) {
    super(`${formatLocation(where)}: ${reason}`);
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
    this.reason = reason;
  }
}

export function formatLocation(where: FormatErrorLocation): string {
  let s = where.file;
  if (where.line !== undefined) s += ` line ${where.line}`;
  if (where.field !== undefined) s += ` ${where.field}`;
  return s;
}

/** A record a lenient reader skipped, and why. */
export interface SkippedRecord {
  file: string;
  line?: number;
  field?: string;
  reason: string;
}

export interface ReadOptions {
  /** Skip malformed records (each one reported in `skipped`) instead of throwing. */
  lenient?: boolean;
}

/** Collects skipped records in lenient mode; throws in strict mode. */
export class IssueSink {
  readonly skipped: SkippedRecord[] = [];
  readonly notices: string[] = [];
  constructor(readonly lenient = false) {}

  /** Throws a FormatError in strict mode; records and returns in lenient mode. */
  fail(where: FormatErrorLocation, reason: string): void {
    if (!this.lenient) throw new FormatError(where, reason);
    this.skipped.push({ ...where, reason });
  }

  notice(message: string): void {
    this.notices.push(message);
  }
}

/** An fs error (ENOENT, EISDIR, EACCES, …) as a one-line FormatError naming the path. */
export function fsError(file: string, err: unknown, action = 'read'): FormatError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'ENOENT' ? 'file not found'
    : code === 'EISDIR' ? 'is a folder, expected a file'
    : code === 'ENOTDIR' ? 'a parent of this path is not a folder'
    : code === 'EACCES' || code === 'EPERM' ? `permission denied (cannot ${action})`
    : `cannot ${action} (${code ?? (err as Error)?.message ?? String(err)})`;
  return new FormatError({ file }, reason);
}

/** Short JSON rendering of a value for messages. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing (field missing)';
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    s = String(v);
  }
  if (s === undefined) return String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
