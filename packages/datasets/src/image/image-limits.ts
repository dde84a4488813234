/**
 * Pixel limit checked from the image header before any pixel buffer is allocated: a 0.9 MB
 * deflate TIFF can claim 30000 × 30000 pixels (3.6 GB as float32 per channel). The default is
 * DOTA's largest images (20000 × 20000); raise it per call with `maxPixels`. sharp gets the same
 * number as `limitInputPixels`; geotiff is checked here from the IFD's width and height.
 * A 0 × 0 image is refused too (nothing to train on, and it breaks every resize).
 */
import { DatasetError } from '../errors.js';

export const DEFAULT_MAX_IMAGE_PIXELS = 20000 * 20000;

export interface ImageLimits {
  /** Largest width × height accepted (default `DEFAULT_MAX_IMAGE_PIXELS`). */
  maxPixels?: number;
}

/** Throws a DatasetError naming `file` when the header's size is empty or above the limit. */
export function checkImageSize(width: number, height: number, file: string, limits: ImageLimits = {}): void {
  const max = limits.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  if (!(Number.isSafeInteger(width) && Number.isSafeInteger(height)) || width <= 0 || height <= 0) {
    throw new DatasetError({ file }, `image header says ${width} × ${height} pixels: an image needs a width and height ≥ 1`);
  }
  if (width * height > max) {
    throw new DatasetError({ file }, `image header says ${width} × ${height} = ${width * height} pixels, above the limit of ${max} (raise it with maxPixels if this is intended)`);
  }
}
