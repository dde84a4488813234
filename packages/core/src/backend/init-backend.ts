import { tf } from './tf.js';
import {
  BACKEND_ENV_VAR,
  parseBackendPreference,
  type BackendName,
  type BackendPreference,
} from './backend-name.js';
import { loadNativeModule, NATIVE_MODULES, type NativeModuleName } from './native-tensorflow.js';
import { missingWasmBinaries, wasmBinaryDir } from './wasm-paths.js';
import { registerWasmKernels } from '../kernels/wasm/register-wasm-kernels.js';
import { registerMissingGradients } from '../kernels/gradients/register-gradients.js';

export interface InitBackendOptions {
  /** Which backend to use; when absent, `BABELRS_BACKEND` decides, else `auto`. */
  prefer?: BackendPreference;
}

/** One candidate that was tried, in order. */
export interface BackendAttempt {
  /** 'tensorflow' candidates name the npm module, e.g. '@tensorflow/tfjs-node-gpu'. */
  candidate: NativeModuleName | 'wasm' | 'cpu';
  ok: boolean;
  reason?: string;
}

export interface BackendReport {
  backend: BackendName;
  requested: BackendPreference;
  requestedBy: 'option' | 'env' | 'default';
  /** Every candidate tried, in order; the last one is the one that worked. */
  attempts: BackendAttempt[];
  /** For 'tensorflow': which module provided it. */
  nativeModule?: NativeModuleName;
  /** For 'wasm': capabilities of the loaded binary. */
  wasm?: { simd: boolean; threads: boolean; binaryDir: string };
  /** One line for logs: what we got and why the earlier candidates failed. */
  summary: string;
}

type Candidate = BackendAttempt['candidate'];

const CANDIDATES: Record<BackendPreference, readonly Candidate[]> = {
  auto: [...NATIVE_MODULES, 'wasm', 'cpu'],
  tensorflow: [...NATIVE_MODULES],
  wasm: ['wasm'],
  cpu: ['cpu'],
};

/**
 * Selects and activates the tfjs backend. `auto` walks tfjs-node-gpu → tfjs-node → wasm → cpu
 * and reports why each earlier candidate failed; an explicit preference that cannot be met
 * throws with those reasons. Safe to call repeatedly (e.g. to switch cpu ↔ wasm in one process).
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  const { requested, requestedBy } = resolvePreference(options);
  registerMissingGradients();
  silenceCpuNodeBanner();
  const attempts: BackendAttempt[] = [];
  for (const candidate of CANDIDATES[requested]) {
    const reason = await tryCandidate(candidate);
    attempts.push(reason === null ? { candidate, ok: true } : { candidate, ok: false, reason });
    if (reason === null) return buildReport(candidate, requested, requestedBy, attempts);
  }
  const tried = attempts.map((a) => `${a.candidate}: ${a.reason}`).join('; ');
  throw new Error(`initBackend: could not activate backend '${requested}' (${tried})`);
}

function resolvePreference(options: InitBackendOptions): Pick<BackendReport, 'requested' | 'requestedBy'> {
  if (options.prefer !== undefined) {
    return { requested: parseBackendPreference(options.prefer, 'initBackend({ prefer })'), requestedBy: 'option' };
  }
  const env = process.env[BACKEND_ENV_VAR];
  if (env !== undefined && env.trim() !== '') {
    return { requested: parseBackendPreference(env, `environment variable ${BACKEND_ENV_VAR}`), requestedBy: 'env' };
  }
  return { requested: 'auto', requestedBy: 'default' };
}

/** Returns null on success, else why the candidate failed. */
async function tryCandidate(candidate: Candidate): Promise<string | null> {
  if (candidate === 'wasm') return tryWasm();
  if (candidate === 'cpu') return activate('cpu', 'the cpu backend failed to initialise');
  const loaded = await loadNativeModule(candidate);
  if (!loaded.ok) return loaded.reason;
  // A copy of tfjs-core nested under the native module would register 'tensorflow' with another
  // engine; then it is missing from ours and setBackend throws.
  return activate('tensorflow', `${candidate} loaded but the 'tensorflow' backend did not initialise`);
}

/** tf.setBackend returns false when a backend fails to initialise and throws when it is unknown. */
async function activate(name: string, failure: string): Promise<string | null> {
  try {
    return (await tf.setBackend(name)) ? null : failure;
  } catch (err) {
    return `${failure}: ${(err as Error).message}`;
  }
}

let wasmPathsSet = false;

async function tryWasm(): Promise<string | null> {
  const dir = wasmBinaryDir();
  const missing = missingWasmBinaries(dir);
  if (missing.length > 0) return `wasm binaries not found in ${dir}: ${missing.join(', ')}`;
  if (!wasmPathsSet) {
    // Point Emscripten at the package's own dist folder: bundled or CJS copies of our code
    // would otherwise look for the .wasm files next to themselves.
    // Imported here, not at module load: importing tfjs-backend-wasm registers 'wasm' as the
    // highest-priority backend, and any tensor op before `initBackend()` would then throw
    // "backend 'wasm' has not yet been initialized". Until initBackend runs, tfjs uses cpu.
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(dir);
    wasmPathsSet = true;
  }
  const failed = await activate('wasm', 'the wasm backend failed to initialise (see the warning tfjs printed)');
  if (failed) return failed;
  registerWasmKernels();
  return null;
}

async function buildReport(
  candidate: Candidate,
  requested: BackendPreference,
  requestedBy: BackendReport['requestedBy'],
  attempts: BackendAttempt[],
): Promise<BackendReport> {
  const backend: BackendName = candidate === 'wasm' || candidate === 'cpu' ? candidate : 'tensorflow';
  const report: BackendReport = { backend, requested, requestedBy, attempts, summary: '' };
  if (backend === 'tensorflow') report.nativeModule = candidate as NativeModuleName;
  if (backend === 'wasm') {
    report.wasm = {
      simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
      threads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
      binaryDir: wasmBinaryDir(),
    };
  }
  report.summary = summarise(report);
  return report;
}

function summarise(r: BackendReport): string {
  const what =
    r.backend === 'tensorflow'
      ? `tensorflow (${r.nativeModule})`
      : r.backend === 'wasm'
        ? `wasm (${r.wasm?.simd ? 'SIMD' : 'no SIMD'}, ${r.wasm?.threads ? 'threaded' : 'single-threaded'})`
        : 'cpu (pure JS, slow)';
  const failed = r.attempts.filter((a) => !a.ok).map((a) => `${a.candidate}: ${a.reason}`);
  const why = failed.length > 0 ? `; skipped ${failed.join('; ')}` : '';
  return `backend ${what}, requested '${r.requested}' by ${r.requestedBy}${why}`;
}

/**
 * tfjs's cpu backend prints an "install tfjs-node" banner on its first write in Node (also when
 * it only holds a few tensors created before another backend was chosen). The report already
 * says why no native backend was taken, so mark that banner as shown.
 */
function silenceCpuNodeBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}
