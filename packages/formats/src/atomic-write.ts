/**
 * The one atomic file write: `write-file-atomic` (temp file beside the target, fsync, rename),
 * so a reader or a crashed run never sees half an annotation, image or result file.
 *
 * Parent folders are made here, one level at a time, instead of `mkdir({ recursive: true })`:
 * Node 20's recursive mkdir loops for ever below `/proc` (it keeps retrying ENOENT), so a
 * `--json /proc/x/out.json` never returned. Any failure is a FormatError naming the folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomicLib from 'write-file-atomic';
import { FormatError } from './errors.js';

/** Makes `dir` and its missing parents; throws a FormatError naming the folder that cannot be made. */
export function ensureDir(dir: string): void {
  const missing: string[] = [];
  let d = path.resolve(dir);
  for (;;) {
    const st = statOrUndefined(d);
    if (st) {
      if (!st.isDirectory()) throw new FormatError({ file: d }, `cannot create folder ${dir}: ${d} is not a folder`);
      break;
    }
    missing.push(d);
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      fs.mkdirSync(missing[i]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statOrUndefined(missing[i])?.isDirectory()) continue;
      throw new FormatError({ file: missing[i] }, `cannot create folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
}

/** Writes `data` to `file` atomically (temp + fsync + rename), creating parent folders. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  ensureDir(path.dirname(path.resolve(file)));
  try {
    writeFileAtomicLib.sync(file, typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } catch (err) {
    throw writeError(file, err);
  }
}

/** Async variant of `writeFileAtomic`. */
export async function writeFileAtomicAsync(file: string, data: string | Uint8Array): Promise<void> {
  ensureDir(path.dirname(path.resolve(file)));
  try {
    await writeFileAtomicLib(file, typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } catch (err) {
    throw writeError(file, err);
  }
}

function writeError(file: string, err: unknown): FormatError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code === 'EISDIR' ? 'is a folder, cannot write a file there' : code === 'EACCES' || code === 'EPERM' ? 'permission denied (cannot write)' : `cannot write (${code ?? (err as Error).message})`;
  return new FormatError({ file }, reason);
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}
