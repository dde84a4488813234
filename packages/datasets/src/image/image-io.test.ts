import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLES } from '../testing/test-support.js';
import { DatasetError } from '../errors.js';
import { decodeImage, readImageInfo } from './decode-image.js';
import { encodeImage, writeImage } from './write-image.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'img-io-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A 5×3 gradient with distinct values per channel, in CHW order. */
function pattern(channels: number, f: (c: number, i: number) => number): { data: Float32Array; width: number; height: number; channels: number } {
  const width = 5;
  const height = 3;
  const data = new Float32Array(channels * width * height);
  for (let c = 0; c < channels; c++) for (let i = 0; i < width * height; i++) data[c * width * height + i] = f(c, i);
  return { data, width, height, channels };
}

describe('decodeImage on the real samples', () => {
  it('DOTA P1888.png: 712×557, 3 channels, 8-bit', async () => {
    const img = await decodeImage(path.join(SAMPLES, 'dota/images/P1888.png'));
    expect([img.width, img.height, img.channels, img.bitDepth, img.sampleFormat]).toEqual([712, 557, 3, 8, 'uint']);
    expect(img.data.length).toBe(3 * 712 * 557);
    // Cross-check one pixel against sharp's own interleaved output.
    const { data } = await sharp(path.join(SAMPLES, 'dota/images/P1888.png')).raw().toBuffer({ resolveWithObject: true });
    const i = 100 * 712 + 200;
    expect([img.data[i], img.data[712 * 557 + i], img.data[2 * 712 * 557 + i]]).toEqual([data[i * 3], data[i * 3 + 1], data[i * 3 + 2]]);
  });

  it('SSDD JPEGs decode to 3 equal channels (the XML says depth 1)', async () => {
    const img = await decodeImage(path.join(SAMPLES, 'sar/ssdd/JPEGImages/000741.jpg'));
    expect([img.width, img.height, img.channels]).toEqual([502, 344, 3]);
    const plane = img.width * img.height;
    let maxDiff = 0;
    for (let i = 0; i < plane; i++) maxDiff = Math.max(maxDiff, Math.abs(img.data[i] - img.data[plane + i]), Math.abs(img.data[i] - img.data[2 * plane + i]));
    expect(maxDiff).toBeLessThanOrEqual(2);
    const other = await readImageInfo(path.join(SAMPLES, 'sar/ssdd/JPEGImages/000001.jpg'));
    expect([other.width, other.height, other.channels]).toEqual([416, 323, 3]);
  });

  it('HIT-UAV JPEGs stay single-channel', async () => {
    const img = await decodeImage(path.join(SAMPLES, 'ir/hit-uav/images/1_90_40_0_04880.jpg'));
    expect([img.width, img.height, img.channels, img.bitDepth]).toEqual([640, 512, 1, 8]);
    const max = img.data.reduce((m, v) => Math.max(m, v), 0);
    expect(max).toBeGreaterThan(100);
    expect(max).toBeLessThanOrEqual(255);
  });

  it('names a missing or undecodable file', async () => {
    await expect(decodeImage(path.join(tmp, 'nope.png'))).rejects.toThrow(DatasetError);
    await expect(decodeImage(path.join(tmp, 'nope.png'))).rejects.toThrow(/nope\.png: image file not found/);
    fs.writeFileSync(path.join(tmp, 'junk.png'), 'not an image');
    await expect(decodeImage(path.join(tmp, 'junk.png'))).rejects.toThrow(/junk\.png: cannot decode image/);
  });
});

describe('writeImage → decodeImage round trips', () => {
  it.each([
    ['png 8-bit grey', 'g8.png', 1, 8, 'uint', (c: number, i: number) => i * 17],
    ['png 8-bit RGB', 'rgb8.png', 3, 8, 'uint', (c: number, i: number) => (i * 13 + c * 70) % 256],
    ['png 16-bit grey', 'g16.png', 1, 16, 'uint', (c: number, i: number) => i * 4321 + 7],
    ['png 16-bit RGB', 'rgb16.png', 3, 16, 'uint', (c: number, i: number) => i * 4000 + c * 999],
    ['tiff uint8', 'u8.tif', 1, 8, 'uint', (c: number, i: number) => i * 17],
    ['tiff uint16', 'u16.tif', 1, 16, 'uint', (c: number, i: number) => i * 4321 + 7],
    ['tiff int16 (negatives, which sharp clamps)', 'i16.tif', 1, 16, 'int', (c: number, i: number) => (i - 7) * 4000],
    ['tiff float32 3-band', 'f32.tif', 3, 32, 'float', (c: number, i: number) => Math.fround((i - 7) * 0.123 + c * 1e-3)],
  ] as const)('%s', async (_label, name, channels, bitDepth, sampleFormat, f) => {
    const src = pattern(channels, f);
    const file = path.join(tmp, name);
    await writeImage(file, { ...src, bitDepth, sampleFormat });
    const back = await decodeImage(file);
    expect([back.width, back.height, back.channels, back.bitDepth, back.sampleFormat]).toEqual([5, 3, channels, bitDepth, sampleFormat]);
    expect(Array.from(back.data)).toEqual(Array.from(src.data));
    const info = await readImageInfo(file);
    expect([info.width, info.height, info.channels, info.bitDepth, info.sampleFormat]).toEqual([5, 3, channels, bitDepth, sampleFormat]);
  });

  it('JPEG is lossy but close, and writes leave no temp files', async () => {
    const src = pattern(3, (c, i) => 100 + c * 20);
    const file = path.join(tmp, 'sub', 'a.jpg');
    await writeImage(file, src);
    const back = await decodeImage(file);
    expect(back.channels).toBe(3);
    for (let k = 0; k < src.data.length; k++) expect(Math.abs(back.data[k] - src.data[k])).toBeLessThanOrEqual(3);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['a.jpg']);
  });

  it('rounds and clamps integer outputs; rejects bad shapes and formats', async () => {
    const back = await decodeImage(await encodeImage({ data: Float32Array.from([-5, 0.4, 0.6, 300]), width: 2, height: 2, channels: 1 }, 'png'));
    expect(Array.from(back.data)).toEqual([0, 0, 1, 255]);
    await expect(encodeImage({ data: new Float32Array(3), width: 2, height: 2, channels: 1 }, 'png')).rejects.toThrow(/expected 1×2×2 = 4/);
    await expect(encodeImage({ data: new Float32Array(4), width: 2, height: 2, channels: 1 }, 'gif')).rejects.toThrow(/unsupported image format/);
    await expect(encodeImage({ data: new Float32Array(4), width: 2, height: 2, channels: 1 }, 'tif', { bitDepth: 32, sampleFormat: 'int' })).rejects.toThrow(/unsupported sample type int32/);
  });
});

describe('decodeImage on files written by other tools (fixtures/gen_tiff.py: hand-written TIFF bytes, Pillow)', () => {
  const dir = path.resolve(here, '../../fixtures/tiff');
  const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<
    string,
    { width: number; height: number; channels: number; bitDepth: number; sampleFormat: string; values: number[] }
  >;

  it.each(Object.keys(expected))('%s', async (name) => {
    const e = expected[name];
    const img = await decodeImage(path.join(dir, name));
    expect([img.width, img.height, img.channels, img.bitDepth, img.sampleFormat]).toEqual([e.width, e.height, e.channels, e.bitDepth, e.sampleFormat]);
    // Float32 data: compare with the expected values rounded to float32.
    expect(Array.from(img.data)).toEqual(e.values.map((v) => Math.fround(v)));
    const info = await readImageInfo(path.join(dir, name));
    expect([info.width, info.height, info.channels, info.bitDepth, info.sampleFormat]).toEqual([e.width, e.height, e.channels, e.bitDepth, e.sampleFormat]);
  });

  it('drops alpha from a 16-bit RGBA PNG too, keeping 16-bit values', async () => {
    const src = pattern(4, (c, i) => (c === 3 ? 65535 : i * 4000 + c * 999));
    const back = await decodeImage(await encodeImage({ ...src, bitDepth: 16 }, 'png'));
    expect([back.channels, back.bitDepth]).toEqual([3, 16]);
    expect(Array.from(back.data)).toEqual(Array.from(src.data.subarray(0, 3 * 15)));
  });
});
