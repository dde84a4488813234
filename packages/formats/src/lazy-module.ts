// Dependencies only some reads need (XML, the token-level JSON stream) are loaded on first use:
// a process that evaluates DOTA or COCO files does not pay their start-up (each costs
// milliseconds of module loading, on every run of a command-line tool).
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/** A getter that `require`s `name` the first time it is called (its CommonJS build). */
export function lazyModule<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(name) as T);
}
