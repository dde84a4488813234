import fs from 'node:fs';
import { MetricsInputError } from '../errors.js';

/** Reads a UTF-8 file or throws a MetricsInputError naming it. */
export function readTextFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new MetricsInputError(file, code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(err)})`);
  }
}

/** Parses JSON or throws naming the file (Python's bare `NaN` is not JSON: say so). */
export function readJsonFile(file: string): unknown {
  const text = readTextFile(file);
  try {
    return JSON.parse(text);
  } catch (err) {
    const hint = /\bNaN\b|\bInfinity\b/.test(text) ? ' (NaN/Infinity are not valid JSON: a score or coordinate is not a number)' : '';
    throw new MetricsInputError(file, `invalid JSON: ${(err as Error).message}${hint}`);
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
