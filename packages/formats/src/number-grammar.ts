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
  if (!DECIMAL.test(text)) return Number.NaN;
  const v = Number(text);
  return Number.isFinite(v) ? v : Number.NaN;
}

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
