/**
 * Errors people can act on: which file, which line or field, what was expected.
 * `DatasetError: labelTxt/P0001.txt line 7: expected 10 fields (8 coordinates, class, difficult), got 9`
 */
export interface DatasetErrorLocation {
  file: string;
  /** 1-based line number, for text formats. */
  line?: number;
  /** JSON path or XML element, for structured formats (`annotations[12].bbox`). */
  field?: string;
}

export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  readonly file: string;
  readonly line?: number;
  readonly field?: string;
  /** The message without the location prefix. */
  readonly reason: string;

  constructor(where: DatasetErrorLocation, reason: string) {
    super(`${formatLocation(where)}: ${reason}`);
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
    this.reason = reason;
  }
}

export function formatLocation(where: DatasetErrorLocation): string {
  let s = where.file;
  if (where.line !== undefined) s += ` line ${where.line}`;
  if (where.field !== undefined) s += ` ${where.field}`;
  return s;
}

/**
 * In `lenient` mode readers skip bad records instead of throwing, and record each one here,
 * so the caller can report exactly what was dropped.
 */
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

  /** Throws a DatasetError in strict mode; records and returns in lenient mode. */
  fail(where: DatasetErrorLocation, reason: string): void {
    if (!this.lenient) throw new DatasetError(where, reason);
    this.skipped.push({ ...where, reason });
  }

  notice(message: string): void {
    this.notices.push(message);
  }
}
