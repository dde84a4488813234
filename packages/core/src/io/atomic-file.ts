import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes a file atomically: `write(fd)` fills a temp file beside the target, which is fsynced
 * and renamed over the target, so readers see the old file or the complete new one — never a
 * half-written one. On error the temp file is removed.
 */
export function writeFileAtomic(target: string, write: (fd: number) => void): void {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'w');
  } catch (e) {
    // Node names only the temp file; say which file the caller was writing.
    throw new Error(`cannot write ${target}: ${(e as Error).message}`);
  }
  let ok = false;
  try {
    write(fd);
    fs.fsyncSync(fd);
    ok = true;
  } finally {
    fs.closeSync(fd);
    if (!ok) fs.rmSync(tmp, { force: true });
  }
  fs.renameSync(tmp, target);
}

/** `fs.writeSync` until every byte is written. */
export function writeAll(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.byteLength) done += fs.writeSync(fd, data, done, data.byteLength - done);
}
