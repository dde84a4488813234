// Shared by this package's tests (not exported from the package): where the reference samples
// and the committed fixtures live, and a helper that returns the DatasetError a call throws.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetError } from '../errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** `../shared/samples` beside the checkout (the same layout in CI). */
export const SAMPLES = path.resolve(here, '../../../../../shared/samples');

/** This package's committed fixtures (`packages/datasets/fixtures`). */
export const FIXTURES = path.resolve(here, '../../fixtures');

/** Runs `fn` and returns the DatasetError it throws; fails the test if it throws nothing else. */
export function errorOf(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DatasetError) return err;
    throw err;
  }
  throw new Error('expected a DatasetError');
}
