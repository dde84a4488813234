// Test support (not exported): where fixtures live, and a helper returning the FormatError a call throws.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatError } from '../errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The reference samples committed at the repository root (`fixtures/samples`). */
export const SAMPLES = path.resolve(here, '../../../../fixtures/samples');
/** The mAP reference cases committed at the repository root (`fixtures/metrics-cases`). */
export const CASES = path.resolve(here, '../../../../fixtures/metrics-cases');
/** This package's hand-written fixtures (`packages/formats/fixtures`). */
export const FIXTURES = path.resolve(here, '../../fixtures');

/** Runs `fn` and returns the FormatError it throws; fails the test if it throws anything else or nothing. */
export function errorOf(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FormatError) return err;
    throw err;
  }
  throw new Error('expected a FormatError');
}
