import { Rng } from './rng.js';

/**
 * The process-wide default generator, like `torch.manual_seed`: layers and initialisers use it
 * when no explicit `Rng` is passed.
 */
let globalRng = new Rng(0);

/** Reseeds the default generator; returns it. */
export function manualSeed(seed: number): Rng {
  globalRng = new Rng(seed);
  return globalRng;
}

/** The default generator (seed 0 until `manualSeed` is called). */
export function defaultRng(): Rng {
  return globalRng;
}
