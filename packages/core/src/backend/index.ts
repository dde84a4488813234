export { tf } from './tf.js';
export {
  BACKEND_ENV_VAR,
  BACKEND_PREFERENCES,
  parseBackendPreference,
  type BackendName,
  type BackendPreference,
} from './backend-name.js';
export {
  initBackend,
  type BackendAttempt,
  type BackendReport,
  type InitBackendOptions,
} from './init-backend.js';
export { withBackend } from './with-backend.js';
export { wasmBinaryDir } from './wasm-paths.js';
