/**
 * The image representation transforms work on: planar channel-first float pixels.
 * `data[c * height * width + y * width + x]`, values in the source's units (0–255 for 8-bit,
 * raw amplitudes for SAR): transforms never rescale values, except photometric jitter.
 */
export interface ChwImage {
  /** [C, H, W] row-major. */
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
}

/** A zero-filled (or `fill`-filled) image. */
export function createChwImage(width: number, height: number, channels: number, fill = 0): ChwImage {
  const data = new Float32Array(channels * width * height);
  if (fill !== 0) data.fill(fill);
  return { data, width, height, channels };
}

/** Throws when `data.length` does not match the declared shape (catches CHW/HWC mix-ups early). */
export function assertChwImage(img: ChwImage, what = 'image'): void {
  const { width, height, channels, data } = img;
  if (!(Number.isInteger(width) && Number.isInteger(height) && Number.isInteger(channels)) || width <= 0 || height <= 0 || channels <= 0) {
    throw new RangeError(`${what}: width, height and channels must be positive integers, got ${width}×${height}×${channels}`);
  }
  if (data.length !== width * height * channels) {
    throw new RangeError(`${what}: data has ${data.length} values, expected ${channels}×${height}×${width} = ${channels * height * width}`);
  }
}
