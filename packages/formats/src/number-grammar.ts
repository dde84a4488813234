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
