import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDir, writeFileAtomic, writeFileAtomicAsync } from './atomic-write.js';
import { errorOf } from './testing/test-support.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'formats-atomic-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes through a temp file, creating folders, leaving no temp file', async () => {
    const p = path.join(tmp, 'a/b/c.txt');
    writeFileAtomic(p, 'one');
    writeFileAtomic(p, Uint8Array.from([116, 119, 111]));
    expect(fs.readFileSync(p, 'utf8')).toBe('two');
    await writeFileAtomicAsync(path.join(tmp, 'a/b/d.txt'), 'three');
    expect(fs.readdirSync(path.join(tmp, 'a/b')).sort()).toEqual(['c.txt', 'd.txt']);
  });

  it('fails fast naming the folder below /proc (Node 20 mkdir recursive spins there for ever)', () => {
    const t0 = Date.now();
    const e = errorOf(() => writeFileAtomic('/proc/no-such-dir/x/out.json', '{}'));
    expect(e.file).toBe('/proc/no-such-dir');
    expect(e.reason).toMatch(/^cannot create folder \(ENOENT\)/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('names the path when a file is in the way or the target is a folder', () => {
    const file = path.join(tmp, 'plain.txt');
    fs.writeFileSync(file, 'x');
    expect(errorOf(() => ensureDir(path.join(file, 'sub'))).reason).toMatch(/is not a folder/);
    expect(errorOf(() => writeFileAtomic(tmp, 'x')).message).toBe(`${tmp}: is a folder, cannot write a file there`);
  });
});
