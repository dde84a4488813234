/**
 * Decoding without the channel-first copy: sharp's raw output as it comes (HWC interleaved,
 * uint8 or uint16), TIFF as geotiff gives it (CHW float32). The loader's fused pipeline reads
 * either layout through strides, so an 800 px image is converted to float once, in the same
 * pass that resizes, flips, jitters and normalises it. Same decoding rules as `decodeImage`
 * (colourspace kept, alpha dropped, header size checked before the pixels are decoded): the
 * samples are the very values `decodeImage` returns, only laid out differently.
 */
import sharp from 'sharp';
import { DatasetError } from '../errors.js';
import { depthKind, readBytes } from './decode-image.js';
import { isTiff, type SampleFormat } from './decoded-image.js';
import { checkImageSize, DEFAULT_MAX_IMAGE_PIXELS, type ImageLimits } from './image-limits.js';
import { decodeTiff } from './tiff-io.js';

export interface InterleavedImage {
  /** Samples in source units; `layout` says how they are ordered. */
  data: Uint8Array | Uint16Array | Float32Array;
  /** `hwc`: `data[(y * width + x) * channels + c]`; `chw`: `data[(c * height + y) * width + x]`. */
  layout: 'hwc' | 'chw';
  width: number;
  height: number;
  channels: number;
  bitDepth: number;
  sampleFormat: SampleFormat;
}

/** Decodes a file or encoded bytes; errors name `name` like `decodeImage`'s. */
export async function decodeInterleaved(source: string | Uint8Array, name = typeof source === 'string' ? source : '<buffer>', limits: ImageLimits = {}): Promise<InterleavedImage> {
  const bytes = await readBytes(source, name);
  try {
    if (isTiff(bytes)) return { ...(await decodeTiff(bytes, name, limits)), layout: 'chw' };
    return await decodeRawWithSharp(bytes, name, limits);
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError({ file: name }, `cannot decode image: ${(err as Error).message}`);
  }
}

async function decodeRawWithSharp(bytes: Uint8Array, name: string, limits: ImageLimits): Promise<InterleavedImage> {
  const meta = await sharp(bytes, { limitInputPixels: false }).metadata(); // header only
  checkImageSize(meta.width ?? 0, meta.height ?? 0, name, limits);
  const kind = depthKind(meta.depth);
  const grey = (meta.channels ?? 3) <= 2;
  // As in decodeImage: explicit colourspace keeps grey as 1 channel and 16-bit as 16-bit.
  const space = kind.bitDepth === 16 ? (grey ? 'grey16' : 'rgb16') : grey ? 'b-w' : 'srgb';
  // Rows are read once, top to bottom: sequential access spares libvips its tile cache (~10 % CPU on PNG).
  const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS, sequentialRead: true })
    .removeAlpha()
    .toColourspace(space)
    .raw({ depth: kind.bitDepth === 16 ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const samples = kind.bitDepth === 16 ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { data: samples, layout: 'hwc', width: info.width, height: info.height, channels: info.channels, ...kind };
}
