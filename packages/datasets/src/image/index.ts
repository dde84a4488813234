export * from './decoded-image.js';
export { decodeImage, readImageInfo, toChw } from './decode-image.js';
export { encodeImage, writeImage, type WriteImageOptions, type WritableImage } from './write-image.js';
export * from './normalize.js';
