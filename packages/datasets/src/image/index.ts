export * from './decoded-image.js';
export { decodeImage, readImageInfo, toChw } from './decode-image.js';
export { encodeImage, writeImage, type WriteImageOptions, type WritableImage } from './write-image.js';
export * from './normalize.js';
export { checkImageSize, DEFAULT_MAX_IMAGE_PIXELS, type ImageLimits } from './image-limits.js';
export { decodeInterleaved, type InterleavedImage } from './decode-interleaved.js';
export { decodeNormalized, normalizeInterleaved } from './decode-normalized.js';
