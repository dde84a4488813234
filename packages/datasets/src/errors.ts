/**
 * Errors people can act on: which file, which line or field, what was expected.
 * `FormatError: labelTxt/P0001.txt line 7: expected 10 fields (8 coordinates, class, difficult), got 9`
 * The one error type lives in @babelrs/formats (every reader there throws it); `DatasetError`
 * is the same class under the name this package has always exported, so
 * `err instanceof DatasetError` holds for errors from the format readers too.
 */
export {
  FormatError as DatasetError,
  FormatError,
  IssueSink,
  formatLocation,
  type FormatErrorLocation as DatasetErrorLocation,
  type ReadOptions,
  type SkippedRecord,
} from '@babelrs/formats';
