/**
 * Line-by-line reading of text annotation files, without holding the file or its lines:
 * the file is read in 64 KiB chunks, decoded as UTF-8 (a leading byte-order mark dropped) and
 * split on LF, CRLF or a lone CR (old Mac exports; Python's universal newlines read them so,
 * and so does the DOTA devkit). Each line is handed to the callback and then dropped.
 * Bad encodings (UTF-16, invalid UTF-8) and absurdly long lines are a FormatError naming the
 * file, not a garbled read.
 */
import fs from 'node:fs';
import { FormatError, fsError } from './errors.js';
import { readChunk, withOpenFile } from './read-file.js';

/** Longest line accepted (characters): an annotation line is ~100; 1 MiB means "not a text file". */
export const MAX_LINE_CHARS = 1 << 20;
const CHUNK_BYTES = 1 << 16;

export type LineCallback = (line: string, lineNo: number) => void;
/**
 * A line as the span `text[start, end)` (no string is made per line; `text` is a decoded chunk,
 * or the line itself when it crossed a chunk border). Do not keep `text`.
 */
export type LineSpanCallback = (text: string, start: number, end: number, lineNo: number) => void;

/** Splits pushed text into lines (LF / CRLF / CR), calling `onLine` for each complete one. */
class LineSplitter {
  private carry = '';
  private lineNo = 0;
  /** The previous chunk ended in CR: a LF starting the next chunk belongs to it. */
  private skipLf = false;

  constructor(
    private readonly file: string,
    private readonly onLine: LineSpanCallback,
  ) {}

  push(text: string): void {
    let start = 0;
    if (this.skipLf && text.charCodeAt(0) === 10) start = 1;
    this.skipLf = false;
    if (text.indexOf('\r', start) < 0) {
      // LF only (almost every file): the native search is far faster than a char loop.
      for (let i = text.indexOf('\n', start); i >= 0; i = text.indexOf('\n', start)) {
        this.emitPart(text, start, i);
        start = i + 1;
      }
    } else {
      for (let i = start; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        this.emitPart(text, start, i);
        if (c === 13) {
          if (i + 1 < text.length) {
            if (text.charCodeAt(i + 1) === 10) i++;
          } else this.skipLf = true;
        }
        start = i + 1;
      }
    }
    if (start < text.length) {
      this.carry += text.slice(start);
      if (this.carry.length > MAX_LINE_CHARS) {
        throw new FormatError({ file: this.file, line: this.lineNo + 1 }, `line longer than ${MAX_LINE_CHARS} characters: not a text annotation file?`);
      }
    }
  }

  /** Lines already handed over (for error locations). */
  get linesSoFar(): number {
    return this.lineNo;
  }

  end(): number {
    if (this.carry !== '') this.emit(this.carry, 0, this.carry.length);
    this.carry = '';
    return this.lineNo;
  }

  /** The line ending at `text[end]`: its start was carried over from earlier chunks, if any. */
  private emitPart(text: string, start: number, end: number): void {
    if (this.carry === '') return this.emit(text, start, end);
    const line = this.carry + text.slice(start, end);
    this.carry = '';
    this.emit(line, 0, line.length);
  }

  private emit(text: string, start: number, end: number): void {
    this.lineNo++;
    this.onLine(text, start, end, this.lineNo);
  }
}

/** One chunk buffer for the (synchronous, non-reentrant in practice) line readers. */
let sharedChunk: Buffer | undefined;

/** Calls `onLine(line, lineNo)` for every line of `file` (1-based); returns the line count. */
export function forEachLine(file: string, onLine: LineCallback): number {
  return forEachLineSpan(file, (text, start, end, lineNo) => onLine(text.slice(start, end), lineNo));
}

/** `forEachLine` handing over each line as a span of a chunk (the readers' hot path). */
export function forEachLineSpan(file: string, onLine: LineSpanCallback): number {
  return withOpenFile(file, (fd) => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const splitter = new LineSplitter(file, onLine);
    // A callback may read another file: the shared buffer is taken while in use.
    const buf = sharedChunk ?? Buffer.allocUnsafe(CHUNK_BYTES);
    sharedChunk = undefined;
    try {
      let offset = 0;
      for (;;) {
        const n = readChunk(fd, file, buf);
        if (offset === 0 && n >= 2) checkNotUtf16(buf, file);
        splitter.push(decodeChunk(decoder, buf.subarray(0, n), n > 0, file, offset, splitter.linesSoFar));
        offset += n;
        if (n === 0) break;
      }
      return splitter.end();
    } finally {
      sharedChunk = buf;
    }
  });
}

/** The same splitting over text already in memory (a leading BOM dropped). */
export function forEachLineOfText(text: string, file: string, onLine: LineCallback): number {
  const splitter = new LineSplitter(file, (t, start, end, lineNo) => onLine(t.slice(start, end), lineNo));
  splitter.push(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  return splitter.end();
}

/** Reads a whole (small) UTF-8 file as text, BOM dropped; errors name the file. */
export function readTextFile(file: string): string {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    throw fsError(file, err);
  }
  if (buf.length >= 2) checkNotUtf16(buf, file);
  return decodeChunk(new TextDecoder('utf-8', { fatal: true }), buf, false, file, 0);
}

function decodeChunk(decoder: InstanceType<typeof TextDecoder>, bytes: Uint8Array, stream: boolean, file: string, offset: number, linesBefore = 0): string {
  try {
    return decoder.decode(bytes, { stream });
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = linesBefore + 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 10 || (bytes[i] === 13 && bytes[i + 1] !== 10)) line++;
    throw new FormatError({ file, line }, `is not UTF-8 text (invalid byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at byte ${offset + at}); save it as UTF-8`);
  }
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (bytes.length if none found). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const n = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      if (i + k >= bytes.length) return i; // cut in the middle of a character
      if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    }
    i += n + 1;
  }
  return i;
}

function checkNotUtf16(buf: Uint8Array, file: string): void {
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
    throw new FormatError({ file }, 'is UTF-16 text (byte-order mark); save it as UTF-8');
  }
}
