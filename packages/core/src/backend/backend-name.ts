/** What a caller may ask for. `tensorflow` = tfjs-node-gpu or tfjs-node (native libtensorflow). */
export type BackendPreference = 'tensorflow' | 'wasm' | 'cpu' | 'auto';

/** A concrete backend we can end up on. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['tensorflow', 'wasm', 'cpu', 'auto'];

/** Environment variable that picks the backend when `initBackend` gets no `prefer`. */
export const BACKEND_ENV_VAR = 'BABELRS_BACKEND';

export function parseBackendPreference(value: string, source: string): BackendPreference {
  const v = value.trim().toLowerCase();
  if ((BACKEND_PREFERENCES as readonly string[]).includes(v)) return v as BackendPreference;
  throw new Error(`${source}: unknown backend '${value}'; expected one of ${BACKEND_PREFERENCES.join(', ')}`);
}
