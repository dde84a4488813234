// Shared by this package's tests (not exported from the package): where the reference samples
// and the committed fixtures live, and a helper that returns the DatasetError a call throws.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetError } from '../errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The reference samples committed at the repository root (`fixtures/samples`, copied from the shared folder). */
export const SAMPLES = path.resolve(here, '../../../../fixtures/samples');

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

/** Awaits `fn` and returns the DatasetError it rejects with; fails the test otherwise. */
export async function errorOfAsync(fn: () => Promise<unknown>): Promise<DatasetError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof DatasetError) return err;
    throw err;
  }
  throw new Error('expected a DatasetError');
}
