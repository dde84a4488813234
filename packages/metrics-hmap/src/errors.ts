/**
 * Bad evaluation input (missing file, malformed line, unknown class or image, NaN score).
 * The message always names where the problem is (`file:line`, or the field path for in-memory
 * input), so users can fix the data without reading our code.
 */
export class MetricsInputError extends Error {
  override readonly name = 'MetricsInputError';
  constructor(
    /** Where: a file path (optionally `:line`) or an in-memory field path like `dets[3].score`. */
    readonly where: string,
    readonly detail: string,
  ) {
    super(`${where}: ${detail}`);
  }
}
