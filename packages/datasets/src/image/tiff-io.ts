/**
 * TIFF through geotiff (pure JS): sharp clamps signed 16-bit negatives and cannot write float
 * TIFF from a Float32Array (DESIGN.md §3), while geotiff reads and writes u8/u16/i16/f32 exactly.
 */
import { fromArrayBuffer, writeArrayBuffer } from 'geotiff';
import { DatasetError } from '../errors.js';
import type { DecodedImage, ImageInfo, SampleFormat } from './decoded-image.js';
import { checkImageSize, type ImageLimits } from './image-limits.js';

/** Decodes the first image of a TIFF file (all bands) to CHW float32; the size is checked first. */
export async function decodeTiff(bytes: Uint8Array, file: string, limits: ImageLimits = {}): Promise<DecodedImage> {
  const tiff = await fromArrayBuffer(toArrayBuffer(bytes));
  const image = await tiff.getImage();
  const width = image.getWidth();
  const height = image.getHeight();
  // From the IFD, before geotiff allocates the rasters (it trusts the header).
  checkImageSize(width, height, file, limits);
  const channels = image.getSamplesPerPixel();
  if (!Number.isSafeInteger(channels) || channels < 1 || channels > 64) throw new DatasetError({ file }, `TIFF header says ${channels} samples per pixel`);
  const { bitDepth, sampleFormat } = sampleKind(image.getBitsPerSample(0), image.getSampleFormat(0), file);
  const rasters = (await image.readRasters({ interleave: false })) as unknown as ArrayLike<number>[];
  const plane = width * height;
  const data = new Float32Array(channels * plane);
  for (let c = 0; c < channels; c++) data.set(rasters[c] as ArrayLike<number>, c * plane);
  return { data, width, height, channels, bitDepth, sampleFormat };
}

/** Header facts of a TIFF file, without decoding pixels. */
export async function readTiffInfo(bytes: Uint8Array, file: string): Promise<ImageInfo> {
  const image = await (await fromArrayBuffer(toArrayBuffer(bytes))).getImage();
  checkImageSize(image.getWidth(), image.getHeight(), file, { maxPixels: Number.MAX_SAFE_INTEGER });
  const kind = sampleKind(image.getBitsPerSample(0), image.getSampleFormat(0), file);
  return { width: image.getWidth(), height: image.getHeight(), channels: image.getSamplesPerPixel(), ...kind, format: 'tiff' };
}

/** Encodes CHW float32 pixels as an uncompressed TIFF in the requested sample type. */
export function encodeTiff(img: Pick<DecodedImage, 'data' | 'width' | 'height' | 'channels'>, bitDepth: 8 | 16 | 32, sampleFormat: SampleFormat): Uint8Array {
  const { width, height, channels } = img;
  const typed = interleave(img.data, width * height, channels, typedArrayFor(bitDepth, sampleFormat));
  // geotiff's writer serialises only unsigned and float arrays (an Int16Array comes out as
  // zeros): hand it the same two's-complement bits as unsigned; SampleFormat = 2 says signed.
  const hwc = typed instanceof Int16Array ? new Uint16Array(typed.buffer) : typed instanceof Int8Array ? new Uint8Array(typed.buffer) : typed;
  const metadata: Record<string, unknown> = {
    width,
    height,
    BitsPerSample: Array(channels).fill(bitDepth),
    SampleFormat: Array(channels).fill(sampleFormat === 'uint' ? 1 : sampleFormat === 'int' ? 2 : 3),
    SamplesPerPixel: channels,
    PhotometricInterpretation: channels === 3 ? 2 : 1,
  };
  return new Uint8Array(writeArrayBuffer(hwc as never, metadata as never));
}

type TypedCtor = Uint8ArrayConstructor | Uint16ArrayConstructor | Int16ArrayConstructor | Int8ArrayConstructor | Float32ArrayConstructor;

function typedArrayFor(bitDepth: number, sampleFormat: SampleFormat): TypedCtor {
  if (sampleFormat === 'float' && bitDepth === 32) return Float32Array;
  if (sampleFormat === 'uint' && bitDepth === 8) return Uint8Array;
  if (sampleFormat === 'uint' && bitDepth === 16) return Uint16Array;
  if (sampleFormat === 'int' && bitDepth === 8) return Int8Array;
  if (sampleFormat === 'int' && bitDepth === 16) return Int16Array;
  throw new Error(`TIFF: unsupported sample type ${sampleFormat}${bitDepth} (use uint8, uint16, int16 or float32)`);
}

/** CHW float → HWC typed array; integer types round and clamp to their range. */
function interleave(chw: Float32Array, plane: number, channels: number, Ctor: TypedCtor): Uint8Array | Uint16Array | Int16Array | Int8Array | Float32Array {
  const out = new Ctor(plane * channels);
  const isFloat = Ctor === Float32Array;
  const [lo, hi] = isFloat ? [-Infinity, Infinity] : integerRange(Ctor);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < plane; i++) {
      const v = chw[c * plane + i];
      out[i * channels + c] = isFloat ? v : Math.min(hi, Math.max(lo, Math.round(v)));
    }
  }
  return out;
}

function integerRange(Ctor: TypedCtor): [number, number] {
  if (Ctor === Uint8Array) return [0, 255];
  if (Ctor === Int8Array) return [-128, 127];
  if (Ctor === Uint16Array) return [0, 65535];
  return [-32768, 32767];
}

function sampleKind(bits: number, format: number, file: string): { bitDepth: number; sampleFormat: SampleFormat } {
  const sampleFormat: SampleFormat = format === 3 ? 'float' : format === 2 ? 'int' : 'uint';
  if (![8, 16, 32, 64].includes(bits)) throw new DatasetError({ file }, `TIFF with ${bits} bits per sample is not supported (8, 16, 32, 64)`);
  return { bitDepth: bits, sampleFormat };
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
