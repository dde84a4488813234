export * from './prng.js';
export * from './balanced-sampler.js';
export * from './sequential-sampler.js';
export { LoaderError, loadBatchItems, loadTransformedItem, type LoadOptions } from './load-item.js';
export * from './prefetch-loader.js';
export { CanvasPool } from './canvas-pool.js';
