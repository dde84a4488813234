import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorOf } from './testing/test-support.js';
import { forEachLine, forEachLineOfText, MAX_LINE_CHARS, readTextFile } from './text-lines.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'formats-lines-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function lines(text: string): [string, number][] {
  const out: [string, number][] = [];
  forEachLineOfText(text, 't.txt', (l, n) => out.push([l, n]));
  return out;
}

let fileCount = 0;
function fileLines(bytes: Uint8Array | string): [string, number][] {
  const p = path.join(tmp, `f${fileCount++}.txt`);
  fs.writeFileSync(p, bytes);
  const out: [string, number][] = [];
  forEachLine(p, (l, n) => out.push([l, n]));
  return out;
}

describe('line splitting: LF, CRLF, CR', () => {
  it('splits all three endings the same way, with the same line numbers', () => {
    const want = [['a', 1], ['', 2], ['b', 3]];
    expect(lines('a\n\nb\n')).toEqual(want);
    expect(lines('a\r\n\r\nb\r\n')).toEqual(want);
    expect(lines('a\r\rb\r')).toEqual(want);
    expect(lines('a\n\r\nb')).toEqual(want);
    expect(lines('\ufeffa')).toEqual([['a', 1]]);
  });

  it('reads files in chunks without splitting a CRLF or a UTF-8 character across chunks', () => {
    // 65535 bytes then CRLF: the CR ends the first 64 KiB chunk, the LF starts the next.
    const first = 'x'.repeat(65535);
    expect(fileLines(`${first}\r\ny\r\n`)).toEqual([[first, 1], ['y', 2]]);
    const euro = 'x'.repeat(65535) + '€z\n'; // '€' is 3 bytes, split by the chunk border
    expect(fileLines(euro)).toEqual([[`${'x'.repeat(65535)}€z`, 1]]);
    expect(fileLines(Buffer.from('\ufeffa\rb'))).toEqual([['a', 1], ['b', 2]]);
  });

  it('refuses UTF-16, invalid UTF-8 and absurd lines, naming the file', () => {
    const p16 = path.join(tmp, 'u16.txt');
    fs.writeFileSync(p16, Buffer.from('\ufeffa b c', 'utf16le'));
    expect(errorOf(() => forEachLine(p16, () => {})).message).toBe(`${p16}: is UTF-16 text (byte-order mark); save it as UTF-8`);
    const bad = path.join(tmp, 'latin1.txt');
    fs.writeFileSync(bad, Buffer.from([0x61, 0xe9, 0x0a]));
    expect(errorOf(() => readTextFile(bad)).message).toBe(`${bad} line 1: is not UTF-8 text (invalid byte 0xe9 at byte 1); save it as UTF-8`);
    const long = path.join(tmp, 'long.txt');
    fs.writeFileSync(long, 'a'.repeat(MAX_LINE_CHARS + 10));
    expect(errorOf(() => forEachLine(long, () => {})).reason).toMatch(/line longer than/);
    expect(errorOf(() => forEachLine(path.join(tmp, 'missing.txt'), () => {})).reason).toBe('file not found');
    expect(errorOf(() => forEachLine(tmp, () => {})).reason).toBe('is a folder, expected a file');
  });
});
