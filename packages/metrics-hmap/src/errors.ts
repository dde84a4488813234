/**
 * Bad evaluation input (missing file, malformed line, unknown class or image, NaN score).
 * The message always names where the problem is (a file with its line or JSON path, or the
 * field path for in-memory input), so users can fix the data without reading our code.
 *
 * It is a `FormatError` (the one error type of @babelrs/formats, whose readers this package
 * uses), so `err instanceof FormatError` catches every input error, from the readers or from here.
 */
import { FormatError } from '@babelrs/formats';

export class MetricsInputError extends FormatError {
  override readonly name: string = 'MetricsInputError';
  constructor(
    /** Where: a file path, or an in-memory field path like `dets[3].score`. */
    readonly where: string,
    readonly detail: string,
  ) {
    super({ file: where }, detail);
  }
}

/** A command-line usage error (unknown or conflicting flags): exit code 2. */
export class UsageError extends MetricsInputError {
  override readonly name: string = 'UsageError';
}
