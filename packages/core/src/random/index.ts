export { Rng } from './rng.js';
export type { RngState } from './rng.js';
export { manualSeed, defaultRng } from './global-rng.js';
export { randomUniform, randomNormal, randomBernoulli } from './random-tensor.js';
