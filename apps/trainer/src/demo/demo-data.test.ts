import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureMiniSoi } from './demo-data.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-demo-data-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const tiny = { seed: 1, imageSize: 48, images: { sar: 10, rgb: 10, ir: 10 } };

describe('ensureMiniSoi', () => {
  it('generates once, reuses with the same options and regenerates when they change', async () => {
    const root = path.join(tmp, 'data');
    const a = await ensureMiniSoi(root, tiny);
    expect(a.status).toBe('generated');
    expect(fs.existsSync(path.join(root, 'mini-soi.json'))).toBe(true);
    const png = path.join(root, 'sar', 'images', 'train', 'sar_00000.png');
    const mtime = fs.statSync(png).mtimeMs;
    const b = await ensureMiniSoi(root, tiny);
    expect(b.status).toBe('reused');
    expect(fs.statSync(png).mtimeMs).toBe(mtime);
    const c = await ensureMiniSoi(root, { ...tiny, seed: 2 });
    expect(c.status).toBe('regenerated');
    expect(JSON.parse(fs.readFileSync(path.join(root, 'mini-soi.json'), 'utf8')).options.seed).toBe(2);
  });

  it('refuses to overwrite a folder that is not a mini-SOI set', async () => {
    const root = path.join(tmp, 'mine');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, 'notes.txt'), 'keep me');
    await expect(ensureMiniSoi(root, tiny)).rejects.toThrow(/has no mini-soi\.json; it is not a mini-SOI set made by babelrs/);
    expect(fs.readFileSync(path.join(root, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('names the manifest when it is not valid JSON', async () => {
    const root = path.join(tmp, 'broken');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, 'mini-soi.json'), '{ nope');
    await expect(ensureMiniSoi(root, tiny)).rejects.toThrow(/broken\/mini-soi\.json: not valid JSON/);
  });
});
