import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { errorOfAsync } from '../testing/test-support.js';
import { decodeImage } from './decode-image.js';
import { encodeTiff } from './tiff-io.js';

/** A TIFF whose header claims `width × height` (8-bit grey, one tiny strip): a few hundred bytes. */
function tiffHeader(width: number, height: number): Uint8Array {
  const entries: [number, number, number][] = [
    [256, 4, width], // ImageWidth LONG
    [257, 4, height], // ImageLength LONG
    [258, 3, 8], // BitsPerSample
    [259, 3, 1], // Compression none
    [262, 3, 1], // BlackIsZero
    [273, 4, 8 + 2 + 9 * 12 + 4], // StripOffsets: right after the IFD
    [277, 3, 1], // SamplesPerPixel
    [278, 4, Math.max(height, 1)], // RowsPerStrip
    [279, 4, 16], // StripByteCounts
  ];
  const buf = Buffer.alloc(8 + 2 + entries.length * 12 + 4 + 16);
  buf.write('II', 0, 'latin1');
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(8, 4);
  buf.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, value], i) => {
    const at = 10 + i * 12;
    buf.writeUInt16LE(tag, at);
    buf.writeUInt16LE(type, at + 2);
    buf.writeUInt32LE(1, at + 4);
    if (type === 3) buf.writeUInt16LE(value, at + 8);
    else buf.writeUInt32LE(value, at + 8);
  });
  return buf;
}

/** A PNG whose IHDR claims `width × height` (8-bit grey) followed by a tiny IDAT and IEND. */
function pngHeader(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc((width + 1) * (width * height < 1e6 ? height : 1)))), chunk('IEND', Buffer.alloc(0))]);
}

describe('image pixel limit, checked from the header before decoding', () => {
  it('refuses a TIFF claiming 30000 × 30000 at once (it used to decode for 36 s at 6 GB)', async () => {
    const t0 = Date.now();
    const e = await errorOfAsync(() => decodeImage(tiffHeader(30000, 30000), 'huge.tif'));
    expect(e.file).toBe('huge.tif');
    expect(e.reason).toMatch(/30000 × 30000 = 900000000 pixels, above the limit of 400000000/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('refuses a PNG claiming 30000 × 30000 the same way (sharp path)', async () => {
    const e = await errorOfAsync(() => decodeImage(pngHeader(30000, 30000), 'huge.png'));
    expect(e.reason).toMatch(/above the limit/);
  });

  it('refuses 0 × 0', async () => {
    const e = await errorOfAsync(() => decodeImage(tiffHeader(0, 0), 'empty.tif'));
    expect(e.reason).toMatch(/0 × 0 pixels: an image needs a width and height ≥ 1/);
  });

  it('maxPixels is per call: a small limit refuses a normal image, which decodes without it', async () => {
    const tif = encodeTiff({ data: new Float32Array(12 * 10).fill(7), width: 12, height: 10, channels: 1 }, 8, 'uint');
    expect((await decodeImage(tif, 'ok.tif')).width).toBe(12);
    const e = await errorOfAsync(() => decodeImage(tif, 'ok.tif', { maxPixels: 100 }));
    expect(e.reason).toMatch(/12 × 10 = 120 pixels, above the limit of 100/);
    expect((await decodeImage(pngHeader(4, 3), 'ok.png')).height).toBe(3);
    await expect(decodeImage(pngHeader(40, 30), 'big.png', { maxPixels: 1000 })).rejects.toThrow(/big\.png: image header says 40 × 30 = 1200 pixels/);
  });
});
