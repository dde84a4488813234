// Chunked reading that every streaming reader shares: open/close around a body, and reads whose
// fs errors (EISDIR, EACCES, EIO, …) become one-line FormatErrors naming the file.
import fs from 'node:fs';
import { fsError } from './errors.js';

/** Opens `file` for reading, runs `body` with its descriptor and always closes it. */
export function withOpenFile<T>(file: string, body: (fd: number) => T): T {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw fsError(file, err);
  }
  try {
    return body(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** `fs.readSync` at the current position into `buf[offset, offset + length)`; 0 at the end. */
export function readChunk(fd: number, file: string, buf: Uint8Array, offset = 0, length = buf.length - offset): number {
  try {
    return fs.readSync(fd, buf, offset, length, null);
  } catch (err) {
    throw fsError(file, err);
  }
}
