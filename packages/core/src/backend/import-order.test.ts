// Importing @babelrs/core must not make tensors unusable before initBackend(): the wasm backend
// is only registered (and made the default) by initBackend itself. Own file: needs a fresh
// module graph in which nothing has imported tfjs-backend-wasm yet.
import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../index.js';

describe('importing @babelrs/core', () => {
  it('leaves tfjs usable on cpu until initBackend picks wasm', async () => {
    expect(tf.findBackendFactory('wasm')).toBeNull();
    const before = tf.tensor1d([1, 2, 3]).sum();
    expect(tf.getBackend()).toBe('cpu');
    expect(await before.data()).toEqual(new Float32Array([6]));

    const report = await initBackend({ prefer: 'auto' });
    expect(report.backend).toBe('wasm');
    // a tensor made on cpu before the switch is still readable and usable on wasm
    const after = before.add(1);
    expect(await after.data()).toEqual(new Float32Array([7]));
    tf.dispose([before, after]);
  });
});
