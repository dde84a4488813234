/**
 * Writing images (previews, tiles, the synthetic set), atomically (temp file + rename).
 * The format follows the extension: `.png` (8- or 16-bit via sharp), `.jpg`/`.jpeg` (8-bit
 * via sharp), `.tif`/`.tiff` (uint8, uint16, int16 or float32 via geotiff, uncompressed).
 * Integer outputs round and clamp to the type's range.
 */
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { writeFileAtomicAsync } from '@babelrs/formats';
import type { DecodedImage, SampleFormat } from './decoded-image.js';
import { encodeTiff } from './tiff-io.js';

export interface WriteImageOptions {
  /** Bits per sample: PNG 8 | 16, JPEG 8, TIFF 8 | 16 | 32. Default: the image's own when valid, else 8 (32 for float TIFF). */
  bitDepth?: 8 | 16 | 32;
  /** TIFF only: default the image's own sample format. */
  sampleFormat?: SampleFormat;
  /** JPEG quality 1–100 (default 95). */
  quality?: number;
}

export type WritableImage = Pick<DecodedImage, 'data' | 'width' | 'height' | 'channels'> & Partial<Pick<DecodedImage, 'bitDepth' | 'sampleFormat'>>;

/** Encodes an image to bytes in the format named by `ext` (`png`, `jpg`, `tif`, …). */
export async function encodeImage(img: WritableImage, ext: string, opts: WriteImageOptions = {}): Promise<Uint8Array> {
  checkShape(img);
  const kind = ext.toLowerCase().replace(/^\./, '');
  if (kind === 'tif' || kind === 'tiff') {
    const sampleFormat = opts.sampleFormat ?? img.sampleFormat ?? 'uint';
    const bitDepth = opts.bitDepth ?? (sampleFormat === 'float' ? 32 : img.bitDepth === 16 ? 16 : 8);
    return encodeTiff(img, bitDepth, sampleFormat);
  }
  if (img.channels > 4) throw new Error(`encodeImage: ${kind} holds at most 4 channels, got ${img.channels}`);
  if (kind === 'png') {
    const bitDepth = opts.bitDepth ?? (img.bitDepth === 16 ? 16 : 8);
    if (bitDepth !== 8 && bitDepth !== 16) throw new Error(`encodeImage: PNG supports 8 or 16 bits, got ${bitDepth}`);
    return pipeline(img, bitDepth).png().toBuffer();
  }
  if (kind === 'jpg' || kind === 'jpeg') {
    if (opts.bitDepth !== undefined && opts.bitDepth !== 8) throw new Error(`encodeImage: JPEG is 8-bit only, got ${opts.bitDepth}`);
    return pipeline(img, 8).jpeg({ quality: opts.quality ?? 95 }).toBuffer();
  }
  throw new Error(`encodeImage: unsupported image format ".${kind}" (png, jpg, jpeg, tif, tiff)`);
}

/** Writes an image file atomically; the format follows the file extension. */
export async function writeImage(file: string, img: WritableImage, opts: WriteImageOptions = {}): Promise<void> {
  const bytes = await encodeImage(img, path.extname(file), opts);
  await writeFileAtomicAsync(file, bytes);
}

function pipeline(img: WritableImage, bitDepth: 8 | 16): Sharp {
  const { width, height, channels } = img;
  const plane = width * height;
  const max = bitDepth === 16 ? 65535 : 255;
  const hwc = bitDepth === 16 ? new Uint16Array(plane * channels) : new Uint8Array(plane * channels);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < plane; i++) hwc[i * channels + c] = Math.min(max, Math.max(0, Math.round(img.data[c * plane + i])));
  }
  const grey = channels <= 2;
  // sharp needs the colourspace named, or it writes grey as sRGB and 16-bit as 8-bit.
  const space = bitDepth === 16 ? (grey ? 'grey16' : 'rgb16') : grey ? 'b-w' : 'srgb';
  return sharp(hwc, { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } }).toColourspace(space);
}

function checkShape(img: WritableImage): void {
  const { width, height, channels } = img;
  if (!(Number.isInteger(width) && Number.isInteger(height) && Number.isInteger(channels) && width > 0 && height > 0 && channels > 0)) {
    throw new Error(`encodeImage: invalid size ${width}×${height}×${channels}`);
  }
  if (img.data.length !== width * height * channels) {
    throw new Error(`encodeImage: data has ${img.data.length} values, expected ${channels}×${height}×${width} = ${width * height * channels}`);
  }
}
