export * from './sample.js';
export * from './classes.js';
export * from './errors.js';
// readers, SOI-Det loader, image I/O, tiling
export * from './formats/index.js';
export * from './image/index.js';
export * from './tiling/index.js';
// transforms, sampling and loading, CSIA instruction data, synthetic mini-SOI
export * from './transforms/index.js';
export * from './sampling/index.js';
export * from './instructions/index.js';
export * from './synthetic/index.js';
