import fs from 'node:fs';
import { MetricsInputError } from '../errors.js';

/**
 * Reads a UTF-8 file or throws a MetricsInputError naming it. A leading byte-order mark
 * (Windows editors and some exporters write one) is dropped: `JSON.parse` rejects it and it
 * would otherwise glue itself to the first token of a text line.
 */
export function readTextFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new MetricsInputError(file, code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, expected a file' : `cannot read (${code ?? String(err)})`);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** 1-based line and column of character offset `pos` in `text`. */
export function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: pos - lineStart + 1 };
}

/**
 * Offset of the first bare `NaN` / `Infinity` outside string literals (what Python's
 * `json.dump` writes for a float that is not a number), or −1.
 */
export function firstBareNonFinite(text: string): number {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if ((ch === 'N' && text.startsWith('NaN', i)) || (ch === 'I' && text.startsWith('Infinity', i))) return i;
  }
  return -1;
}

/**
 * Parses JSON or throws naming the file and, where it can be found, the line and column
 * (`file:line:column`); Python's bare `NaN` / `Infinity` is not JSON, and the message says so.
 */
export function readJsonFile(file: string): unknown {
  const text = readTextFile(file);
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const bad = firstBareNonFinite(text);
    if (bad >= 0) {
      const { line, column } = lineColumn(text, bad);
      const token = text.startsWith('NaN', bad) ? 'NaN' : 'Infinity';
      throw new MetricsInputError(`${file}:${line}:${column}`, `invalid JSON: bare ${token} (not valid JSON: a score or coordinate is not a finite number)`);
    }
    // V8 reports most syntax errors as "... at position N" (a character offset).
    const at = /at position (\d+)/.exec(message);
    if (at) {
      const { line, column } = lineColumn(text, Number(at[1]));
      throw new MetricsInputError(`${file}:${line}:${column}`, `invalid JSON: ${message}`);
    }
    throw new MetricsInputError(file, `invalid JSON: ${message}`);
  }
}

/** Lists a directory or throws naming it. */
export function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new MetricsInputError(dir, code === 'ENOENT' ? 'folder not found' : code === 'ENOTDIR' ? 'not a folder' : `cannot list (${code ?? String(err)})`);
  }
}
