/**
 * Numbers in text annotation formats (DOTA txt, VOC XML). `Number()` alone is too lenient for
 * annotation files: it reads `0x10` as 16, `0b1` as 1 and `''` as 0, none of which a labelling
 * tool writes and all of which mean the file is not what we think. Python's `float()` (what the
 * DOTA devkit and mmrotate use) rejects those too.
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite decimal number (`12`, `-3.5`, `.5`, `1e3`), or NaN for anything else. */
export function parseDecimal(text: string): number {
  if (!DECIMAL.test(text)) return Number.NaN;
  const v = Number(text);
  return Number.isFinite(v) ? v : Number.NaN;
}
