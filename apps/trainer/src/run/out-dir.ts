/**
 * Output folders, made safely before any work: each missing level is created on its own (no
 * recursive mkdir, which spins forever below paths such as /proc on some kernels), a probe file
 * proves the folder is writable, and a failure names the flag and the path. `undo` removes the
 * folders this call created, so a command that fails before its first result leaves nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';

export interface PreparedDir {
  dir: string;
  /** Removes the folders this call created, when they are still empty. */
  undo(): void;
}

export function prepareOutDir(dir: string, flag = '--out'): PreparedDir {
  const abs = path.resolve(dir);
  const missing: string[] = [];
  let cur = abs;
  while (!fs.existsSync(cur)) {
    missing.unshift(cur);
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  if (fs.existsSync(cur) && !fs.statSync(cur).isDirectory()) throw new InputError(`${flag} ${dir}: ${cur} is a file, not a folder`);
  const created: string[] = [];
  const undo = () => {
    for (const d of [...created].reverse()) {
      try {
        fs.rmdirSync(d);
      } catch {
        // not empty any more: something was written on purpose
      }
    }
  };
  try {
    for (const d of missing) {
      fs.mkdirSync(d);
      created.push(d);
    }
    const probe = path.join(abs, `.babelrs-write-probe-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    undo();
    const e = err as NodeJS.ErrnoException;
    throw new InputError(`${flag} ${dir}: cannot write to this folder (${e.code ?? e.message})`);
  }
  return { dir: abs, undo };
}
