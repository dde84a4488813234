/** Atomic text/bytes writes for the run folder (core's temp file + fsync + rename). */
import fs from 'node:fs';
import { writeFileAtomic } from '@babelrs/core';

export function writeAtomic(file: string, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  writeFileAtomic(file, (fd) => {
    let done = 0;
    while (done < bytes.byteLength) done += fs.writeSync(fd, bytes, done, bytes.byteLength - done);
  });
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
