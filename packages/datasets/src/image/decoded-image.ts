/**
 * The decoded-image type shared by the decoder, the writer and normalisation.
 * Pixel values stay in the source's units (0–255, 0–65535, signed 16-bit, or float): the
 * bit depth and sample format travel with them, so normalisation can be configured per source.
 */
export type SampleFormat = 'uint' | 'int' | 'float';

export interface DecodedImage {
  /** Channel-major pixels, `[C, H, W]` flattened. */
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
  /** Bits per sample in the file: 8, 16 or 32. */
  bitDepth: number;
  sampleFormat: SampleFormat;
}

/** Bytes-free header facts, as `readImageInfo` returns them. */
export interface ImageInfo {
  width: number;
  height: number;
  channels: number;
  bitDepth: number;
  sampleFormat: SampleFormat;
  format: string;
}

/** True when the bytes start with a TIFF signature (`II*\0` or `MM\0*`, incl. BigTIFF). */
export function isTiff(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const le = bytes[0] === 0x49 && bytes[1] === 0x49 && (bytes[2] === 42 || bytes[2] === 43) && bytes[3] === 0;
  const be = bytes[0] === 0x4d && bytes[1] === 0x4d && bytes[2] === 0 && (bytes[3] === 42 || bytes[3] === 43);
  return le || be;
}
