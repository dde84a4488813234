/**
 * The one number grammar of every text format here (DOTA txt, Task1 results, VOC XML).
 * `Number()` alone is too lenient for annotation files: it reads `0x10` as 16, `0b1` as 1,
 * `''` and `' '` as 0 and `Infinity` as a coordinate, none of which a labelling tool writes and
 * all of which mean the file is not what we think. Python's `float()` (what the DOTA devkit and
 * mmrotate use) rejects those too. Accepted: optional sign, digits with an optional fraction
 * (`12`, `-3.5`, `.5`, `5.`), optional exponent (`1e3`, `2.5E-2`).
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Integers where integers are meant (difficult flags, sizes, ids): digits only, optional sign. */
const INTEGER = /^[+-]?\d+$/;

/** A finite decimal number, or NaN for anything else (including overflow to ±Infinity). */
export function parseDecimal(text: string): number {
  if (!isDecimalSyntax(text)) return Number.NaN;
  const v = Number(text);
  return Number.isFinite(v) ? v : Number.NaN;
}

/**
 * `DECIMAL.test(text)` as a char-code scan (millions of fields in a Task1 file: the regex was
 * the reader's top cost). `DECIMAL` stays the specification; a test checks both agree.
 */
export function isDecimalSyntax(text: string): boolean {
  const n = text.length;
  let i = 0;
  let c = text.charCodeAt(0);
  if (c === 0x2b || c === 0x2d) c = text.charCodeAt(++i);
  let intDigits = 0;
  while (c >= 0x30 && c <= 0x39) {
    intDigits++;
    c = text.charCodeAt(++i);
  }
  let fracDigits = 0;
  if (c === 0x2e) {
    c = text.charCodeAt(++i);
    while (c >= 0x30 && c <= 0x39) {
      fracDigits++;
      c = text.charCodeAt(++i);
    }
  }
  if (intDigits === 0 && fracDigits === 0) return false;
  if (c === 0x65 || c === 0x45) {
    c = text.charCodeAt(++i);
    if (c === 0x2b || c === 0x2d) c = text.charCodeAt(++i);
    let expDigits = 0;
    while (c >= 0x30 && c <= 0x39) {
      expDigits++;
      c = text.charCodeAt(++i);
    }
    if (expDigits === 0) return false;
  }
  return i === n;
}

/** Exact powers of ten (10^0 … 10^22 are exact doubles). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** Where the field read by the last `scanDecimalField` call ended (a space or `end`). */
export const scannedField = { end: 0 };

/**
 * `parseDecimal(field)` for the field of `text` starting at `start` and ending at the next
 * space (0x20) or at `end`, without making the field's string: the readers' hot path, millions
 * of fields per Task1 file. Sets `scannedField.end`. The value is the same double: up to 15
 * digits and no exponent, the digits form an exact integer m < 2^53 and the value is
 * m / 10^f, one correctly rounded division of exact operands, i.e. what `Number()` returns
 * (`Number()` is correctly rounded too); anything longer goes to `Number()`. A property test
 * compares it with `parseDecimal`.
 */
export function scanDecimalField(text: string, start: number, end: number): number {
  let i = start;
  let c = i < end ? text.charCodeAt(i) : -1;
  const negative = c === 0x2d;
  if (c === 0x2b || c === 0x2d) c = ++i < end ? text.charCodeAt(i) : -1;
  let m = 0;
  let digits = 0;
  while (c >= 0x30 && c <= 0x39) {
    m = m * 10 + (c - 0x30);
    digits++;
    c = ++i < end ? text.charCodeAt(i) : -1;
  }
  let fracDigits = 0;
  if (c === 0x2e) {
    c = ++i < end ? text.charCodeAt(i) : -1;
    while (c >= 0x30 && c <= 0x39) {
      m = m * 10 + (c - 0x30);
      fracDigits++;
      c = ++i < end ? text.charCodeAt(i) : -1;
    }
  }
  if (digits + fracDigits === 0) return Number.NaN;
  let viaNumber = digits + fracDigits > 15;
  if (c === 0x65 || c === 0x45) {
    viaNumber = true;
    c = ++i < end ? text.charCodeAt(i) : -1;
    if (c === 0x2b || c === 0x2d) c = ++i < end ? text.charCodeAt(i) : -1;
    let expDigits = 0;
    while (c >= 0x30 && c <= 0x39) {
      expDigits++;
      c = ++i < end ? text.charCodeAt(i) : -1;
    }
    if (expDigits === 0) return Number.NaN;
  }
  if (c !== -1 && c !== 0x20) return Number.NaN; // the field goes on with something else
  scannedField.end = i;
  if (viaNumber) {
    const v = Number(text.slice(start, i));
    return Number.isFinite(v) ? v : Number.NaN;
  }
  const v = fracDigits === 0 ? m : m / POW10[fracDigits];
  return negative ? -v : v;
}

/** The grammar as a regular expression (the specification `isDecimalSyntax` implements). */
export const DECIMAL_SYNTAX: RegExp = DECIMAL;

/**
 * Whitespace-separated fields of a trimmed line, like `line.split(/\s+/)`; single spaces (what
 * every writer produces) take the fast `split(' ')`.
 */
export function splitFields(line: string): string[] {
  return OTHER_SPACE.test(line) ? line.split(/\s+/) : line.split(' ');
}
/** Whitespace other than one single space between fields. */
const OTHER_SPACE = /[^\S ]| {2}/;

/** A safe integer written as digits (`7`, `-2`; not `7.0`, `7e0`, `0x7`), or NaN. */
export function parseInteger(text: string): number {
  if (!INTEGER.test(text)) return Number.NaN;
  const v = Number(text);
  return Number.isSafeInteger(v) ? v : Number.NaN;
}

/** Whether `text` is in the decimal grammar (finite). */
export function isDecimal(text: string): boolean {
  return Number.isFinite(parseDecimal(text));
}
