import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { AdamW } from '../optim/adamw.js';
import { loadOptimizerState, saveOptimizerState } from './optimizer-state-file.js';
import { writeSafetensors } from './safetensors-writer.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-optstate-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('optimizer state files', () => {
  it('a resumed AdamW continues bit-exactly from a saved file', () => {
    const grads = [
      [0.5, -1, 2],
      [1.5, 0.25, -0.75],
      [-2, 1, 0.5],
      [0.1, 0.2, 0.3],
    ];
    const run = (resumeAfter: number | null): number[] => {
      const w = tf.variable(tf.tensor1d([1, -2, 3]), true, `optstate_w_${resumeAfter}`);
      const make = () => new AdamW([{ params: [['layer.weight', w]], lr: 0.05, weightDecay: 0.1 }]);
      let opt = make();
      grads.forEach((g, i) => {
        const gt = tf.tensor1d(g);
        opt.step({ [w.name]: gt });
        gt.dispose();
        if (i === resumeAfter) {
          const file = path.join(dir, 'opt.safetensors');
          const st = opt.stateDict();
          saveOptimizerState(file, st);
          tf.dispose(st.tensors);
          opt.dispose();
          opt = make();
          const loaded = loadOptimizerState(file);
          opt.loadStateDict(loaded);
          tf.dispose(loaded.tensors);
        }
      });
      const out = Array.from(w.dataSync());
      opt.dispose();
      w.dispose();
      return out;
    };
    expect(run(1)).toEqual(run(null));
  });

  it('rejects a safetensors file that holds no optimizer state', () => {
    const file = path.join(dir, 'weights.safetensors');
    writeSafetensors(file, { w: tf.zeros([1]) });
    expect(() => loadOptimizerState(file)).toThrow(/weights\.safetensors: __metadata__ has no "babelrs\.optimizer" entry/);
  });
});
