import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_ENV_VAR, initBackend, tf, wasmBinaryDir, withBackend } from './index.js';
import { describeImportError } from './native-tensorflow.js';

const require = createRequire(import.meta.url);
function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}
const nativeGpu = installed('@tensorflow/tfjs-node-gpu');
const nativeCpu = installed('@tensorflow/tfjs-node');

describe('initBackend', () => {
  const savedEnv = process.env[BACKEND_ENV_VAR];
  afterEach(() => {
    if (savedEnv === undefined) delete process.env[BACKEND_ENV_VAR];
    else process.env[BACKEND_ENV_VAR] = savedEnv;
  });

  it('auto walks tfjs-node-gpu → tfjs-node → wasm → cpu and says why earlier ones failed', async () => {
    delete process.env[BACKEND_ENV_VAR];
    const report = await initBackend();
    expect(report.requested).toBe('auto');
    expect(report.requestedBy).toBe('default');
    expect(report.attempts[0].candidate).toBe('@tensorflow/tfjs-node-gpu');
    expect(report.attempts.at(-1)!.ok).toBe(true);
    expect(report.attempts.slice(0, -1).every((a) => !a.ok && (a.reason ?? '').length > 0)).toBe(true);
    expect(tf.getBackend()).toBe(report.backend);
    if (!nativeGpu && !nativeCpu) {
      expect(report.backend).toBe('wasm');
      expect(report.attempts.map((a) => a.candidate)).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', 'wasm']);
      expect(report.attempts[0].reason).toMatch(/module not found/);
      expect(report.summary).toMatch(/backend wasm .*skipped @tensorflow\/tfjs-node-gpu: module not found/);
      expect(report.wasm?.simd).toBeTypeOf('boolean');
    }
  });

  it('BABELRS_BACKEND picks the backend when prefer is absent; prefer wins over it', async () => {
    process.env[BACKEND_ENV_VAR] = 'cpu';
    const fromEnv = await initBackend();
    expect(fromEnv).toMatchObject({ backend: 'cpu', requested: 'cpu', requestedBy: 'env' });
    expect(tf.getBackend()).toBe('cpu');
    const fromOption = await initBackend({ prefer: 'wasm' });
    expect(fromOption).toMatchObject({ backend: 'wasm', requestedBy: 'option' });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects an unknown BABELRS_BACKEND value, naming the variable', async () => {
    process.env[BACKEND_ENV_VAR] = 'gpu';
    await expect(initBackend()).rejects.toThrow(/BABELRS_BACKEND: unknown backend 'gpu'/);
  });

  it.runIf(!nativeGpu && !nativeCpu)('tensorflow fails clearly when neither native module loads', async () => {
    await expect(initBackend({ prefer: 'tensorflow' })).rejects.toThrow(
      /could not activate backend 'tensorflow'.*tfjs-node-gpu: module not found.*tfjs-node: module not found/,
    );
  });

  it('switches cpu ↔ wasm repeatedly in one process, tensors moving with it', async () => {
    await initBackend({ prefer: 'cpu' });
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    for (const backend of ['wasm', 'cpu', 'wasm'] as const) {
      const report = await initBackend({ prefer: backend });
      expect(report.backend).toBe(backend);
      expect(tf.getBackend()).toBe(backend);
      const y = tf.matMul(a, a);
      expect(Array.from(y.dataSync())).toEqual([7, 10, 15, 22]);
      y.dispose();
    }
    a.dispose();
  });

  it('withBackend runs on the asked backend and restores the previous one, also on error', async () => {
    await initBackend({ prefer: 'wasm' });
    expect(await withBackend('cpu', () => tf.getBackend())).toBe('cpu');
    expect(tf.getBackend()).toBe('wasm');
    await expect(withBackend('cpu', () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('finds the wasm binaries in the package dist folder', () => {
    const dir = wasmBinaryDir();
    expect(fs.existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm'))).toBe(true);
  });
});

describe('native module import failures', () => {
  const notFound = (message: string) => Object.assign(new Error(message), { code: 'ERR_MODULE_NOT_FOUND' });
  it('an absent optional module is "not installed"', () => {
    expect(describeImportError('@tensorflow/tfjs-node-gpu', notFound("Cannot find package '@tensorflow/tfjs-node-gpu' imported from /x/y.js"))).toMatch(/^module not found \(optional dependency not installed/);
  });
  it('a file missing inside an installed module (no libtensorflow binding) is said so, with the path', () => {
    const err = notFound("Cannot find module '/n/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'\nRequire stack: ...");
    expect(describeImportError('@tensorflow/tfjs-node', err)).toBe("installed but incomplete: Cannot find module '/n/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'");
  });
  it('other load errors keep their first line', () => {
    expect(describeImportError('@tensorflow/tfjs-node', new Error('libcudart.so.11.0: cannot open shared object file\nmore'))).toBe('failed to load: libcudart.so.11.0: cannot open shared object file');
  });
});
