// @babelrs/core: the tensor runtime every BabelRS model package uses.
// Backend selection, kernels the wasm backend lacks, fast-gradient ops
export * from './backend/index.js';
export * from './kernels/index.js';
export * from './ops/index.js';
// Module tree, layers, initialisers, seeded RNG
export * from './nn/index.js';
export * from './random/index.js';
// safetensors I/O
export * from './io/index.js';
// optimisers, parameter groups, schedules, gradient clipping
export * from './optim/index.js';
// mixed-precision policy and dynamic loss scaling
export * from './amp/index.js';
// structured training events
export * from './telemetry/index.js';
// finite-difference gradient checks for tests of any package
export * from './testing/index.js';
// data-parallel training over worker threads (one wasm backend per core)
export * from './parallel/index.js';
