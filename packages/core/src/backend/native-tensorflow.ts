// Loading the native TensorFlow backends (@tensorflow/tfjs-node-gpu, @tensorflow/tfjs-node).
// Both are optionalDependencies whose install script downloads libtensorflow; where that fails
// npm drops them, so they are loaded with a dynamic import and every failure becomes a reason
// string in the backend report instead of a crash.

export const NATIVE_MODULES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
export type NativeModuleName = (typeof NATIVE_MODULES)[number];

export type NativeLoadResult = { ok: true } | { ok: false; reason: string };

// One import attempt per module per process: a failed native load does not get better on retry,
// and a successful one has already registered the 'tensorflow' backend with the engine.
const loadCache = new Map<NativeModuleName, Promise<NativeLoadResult>>();

export function loadNativeModule(name: NativeModuleName): Promise<NativeLoadResult> {
  let pending = loadCache.get(name);
  if (!pending) {
    pending = importNative(name);
    loadCache.set(name, pending);
  }
  return pending;
}

async function importNative(name: NativeModuleName): Promise<NativeLoadResult> {
  try {
    // A variable specifier keeps TypeScript and bundlers from resolving a package that may be absent.
    const specifier: string = name;
    await import(specifier);
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: describeImportError(name, err) };
  }
}

/** Why a native module failed to import, in words a user can act on. */
export function describeImportError(name: string, err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = (e?.message ?? String(err)).split('\n')[0];
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') {
    // "Cannot find package 'x'" for the module itself; anything else is a file or dependency
    // missing INSIDE an installed module (e.g. a broken libtensorflow install), not an absent one.
    if (msg.includes(`'${name}'`)) return 'module not found (optional dependency not installed; its libtensorflow download may have failed)';
    return `installed but incomplete: ${msg}`;
  }
  return `failed to load: ${msg}`;
}
