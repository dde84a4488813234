import fs from 'node:fs';
import { parseJsonText, readTextFile } from '@babelrs/formats';
import { MetricsInputError } from '../errors.js';

/** Parses a small JSON file; errors (missing file, bad JSON with line:column) name it. */
export function readJsonFile(file: string): unknown {
  return parseJsonText(readTextFile(file), file);
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
