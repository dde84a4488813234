/**
 * Image decoding to CHW float32 with the source bit depth known.
 * PNG / JPEG / WebP / … go through sharp (8- and 16-bit, grey or colour, kept as stored:
 * a grey JPEG stays 1 channel; an alpha channel is dropped, as mmcv's `imread` does, so an
 * RGBA PNG is 3 channels like every other RGB image); TIFF goes through geotiff, which is exact
 * for signed 16-bit and float32 where sharp is not (DESIGN.md §3).
 */
import fs from 'node:fs';
import sharp from 'sharp';
import { DatasetError } from '../errors.js';
import { isTiff, type DecodedImage, type ImageInfo, type SampleFormat } from './decoded-image.js';
import { checkImageSize, DEFAULT_MAX_IMAGE_PIXELS, type ImageLimits } from './image-limits.js';
import { decodeTiff, readTiffInfo } from './tiff-io.js';

/**
 * Decodes an image file (path) or encoded bytes to CHW float32 in source units. The header's
 * width × height is checked against `limits.maxPixels` (and refused when 0) before decoding.
 */
export async function decodeImage(source: string | Uint8Array, name = typeof source === 'string' ? source : '<buffer>', limits: ImageLimits = {}): Promise<DecodedImage> {
  const bytes = await readBytes(source, name);
  try {
    if (isTiff(bytes)) return await decodeTiff(bytes, name, limits);
    return await decodeWithSharp(bytes, name, limits);
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError({ file: name }, `cannot decode image: ${(err as Error).message}`);
  }
}

/** Width, height, channels and sample type from the file header (pixels not decoded). */
export async function readImageInfo(file: string): Promise<ImageInfo> {
  try {
    const head = await readHead(file);
    if (isTiff(head)) return await readTiffInfo(await fs.promises.readFile(file), file);
    const m = await sharp(file, { limitInputPixels: false }).metadata();
    checkImageSize(m.width ?? 0, m.height ?? 0, file, { maxPixels: Number.MAX_SAFE_INTEGER });
    const kind = depthKind(m.depth);
    // The channels `decodeImage` returns: alpha is dropped there.
    const channels = (m.channels ?? 0) - (m.hasAlpha ? 1 : 0);
    return { width: m.width ?? 0, height: m.height ?? 0, channels, ...kind, format: m.format ?? 'unknown' };
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError({ file }, `cannot read image header: ${(err as Error).message}`);
  }
}

async function decodeWithSharp(bytes: Uint8Array, name: string, limits: ImageLimits): Promise<DecodedImage> {
  const maxPixels = limits.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  const meta = await sharp(bytes, { limitInputPixels: false }).metadata(); // header only
  checkImageSize(meta.width ?? 0, meta.height ?? 0, name, limits);
  const kind = depthKind(meta.depth);
  const grey = (meta.channels ?? 3) <= 2;
  // Without an explicit colourspace sharp turns grey into 3-channel sRGB and 16-bit into 8-bit range.
  const space = kind.bitDepth === 16 ? (grey ? 'grey16' : 'rgb16') : grey ? 'b-w' : 'srgb';
  // Alpha is not image content: an RGBA PNG would otherwise reach RGB statistics with 4 channels.
  const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels })
    .removeAlpha()
    .toColourspace(space)
    .raw({ depth: kind.bitDepth === 16 ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const samples = kind.bitDepth === 16 ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : data;
  return { data: toChw(samples, info.width, info.height, info.channels), width: info.width, height: info.height, channels: info.channels, ...kind };
}

/** HWC interleaved samples → CHW float32. */
export function toChw(hwc: ArrayLike<number>, width: number, height: number, channels: number): Float32Array {
  const plane = width * height;
  const out = new Float32Array(plane * channels);
  if (channels === 1) {
    out.set(hwc);
    return out;
  }
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < channels; c++) out[c * plane + i] = hwc[i * channels + c];
  }
  return out;
}

export function depthKind(depth: string | undefined): { bitDepth: number; sampleFormat: SampleFormat } {
  switch (depth) {
    case 'ushort':
      return { bitDepth: 16, sampleFormat: 'uint' };
    case 'short':
      return { bitDepth: 16, sampleFormat: 'int' };
    case 'float':
      return { bitDepth: 32, sampleFormat: 'float' };
    default:
      return { bitDepth: 8, sampleFormat: 'uint' };
  }
}

export async function readBytes(source: string | Uint8Array, name: string): Promise<Uint8Array> {
  if (typeof source !== 'string') return source;
  try {
    return await fs.promises.readFile(source);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError({ file: name }, code === 'ENOENT' ? 'image file not found' : `cannot read image: ${(err as Error).message}`);
  }
}

async function readHead(file: string): Promise<Uint8Array> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError({ file }, code === 'ENOENT' ? 'image file not found' : `cannot open image: ${(err as Error).message}`);
  }
  try {
    const buf = new Uint8Array(8);
    await fh.read(buf, 0, 8, 0);
    return buf;
  } finally {
    await fh.close();
  }
}
