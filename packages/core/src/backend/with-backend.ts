import { tf } from './tf.js';
import type { BackendName } from './backend-name.js';
import { initBackend } from './init-backend.js';

/**
 * Runs `fn` with `backend` active, then restores the previously active backend (also on error).
 * Meant for tests that check the same op on cpu and wasm in one process.
 */
export async function withBackend<T>(backend: BackendName, fn: () => T | Promise<T>): Promise<T> {
  const previous = tf.getBackend();
  await initBackend({ prefer: backend });
  try {
    return await fn();
  } finally {
    if (previous && previous !== tf.getBackend()) await tf.setBackend(previous);
  }
}
