import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FIXTURES, SAMPLES, errorOfAsync } from '../testing/test-support.js';
import { decodeImage, toChw } from './decode-image.js';
import { decodeInterleaved } from './decode-interleaved.js';

const FILES: [string, 'hwc' | 'chw', string][] = [
  [path.join(SAMPLES, 'dota/images/P1888.png'), 'hwc', 'Uint8Array'],
  [path.join(SAMPLES, 'ir/hit-uav/images/0_80_70_0_07057.jpg'), 'hwc', 'Uint8Array'],
  [path.join(FIXTURES, 'tiff/u16.png'), 'hwc', 'Uint16Array'],
  [path.join(FIXTURES, 'tiff/rgba8.png'), 'hwc', 'Uint8Array'],
  [path.join(FIXTURES, 'tiff/la8.png'), 'hwc', 'Uint8Array'],
  [path.join(FIXTURES, 'tiff/i16_be_2strips.tif'), 'chw', 'Float32Array'],
  [path.join(FIXTURES, 'tiff/f32_deflate.tif'), 'chw', 'Float32Array'],
];

describe('decodeInterleaved', () => {
  it.each(FILES)('%s: the samples of decodeImage, in the decoder’s own layout', async (file, layout, type) => {
    const raw = await decodeInterleaved(file);
    const img = await decodeImage(file);
    expect([raw.layout, raw.data.constructor.name]).toEqual([layout, type]);
    expect([raw.width, raw.height, raw.channels, raw.bitDepth, raw.sampleFormat]).toEqual([img.width, img.height, img.channels, img.bitDepth, img.sampleFormat]);
    const chw = layout === 'chw' ? raw.data : toChw(raw.data, raw.width, raw.height, raw.channels);
    expect(Buffer.from(chw.buffer, chw.byteOffset, chw.byteLength).equals(Buffer.from(img.data.buffer))).toBe(true);
  });

  it('HWC order: DOTA P1888 pixel (200, 100) is sharp’s own interleaved triple', async () => {
    const file = path.join(SAMPLES, 'dota/images/P1888.png');
    const raw = await decodeInterleaved(file);
    const { data } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    const i = (100 * 712 + 200) * 3;
    expect(Array.from(raw.data.subarray(i, i + 3))).toEqual([data[i], data[i + 1], data[i + 2]]);
  });

  it('errors name the file: missing, not an image, above the pixel limit', async () => {
    expect((await errorOfAsync(() => decodeInterleaved('/nonexistent/x.png'))).message).toMatch(/x\.png.*image file not found/);
    expect((await errorOfAsync(() => decodeInterleaved(new Uint8Array([1, 2, 3, 4]), 'junk.bin'))).message).toMatch(/junk\.bin.*cannot decode image/);
    const file = path.join(SAMPLES, 'dota/images/P1888.png');
    expect((await errorOfAsync(() => decodeInterleaved(file, file, { maxPixels: 1000 }))).message).toMatch(/712 × 557 = 396584 pixels, above the limit of 1000/);
  });
});
