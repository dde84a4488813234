import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLossMask } from './loss-mask.js';
import { responseOnlyCrossEntropy } from './response-only-loss.js';

interface LossCase {
  B: number;
  T: number;
  V: number;
  logits: number[];
  targets: number[];
  promptLengths: number[];
  totalLengths: number[];
  loss: number;
  gradLogits: number[];
}
const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/csia_cases.json'), 'utf8')) as { responseLoss: LossCase };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('buildLossMask', () => {
  it('marks positions promptLength ≤ j < totalLength', () => {
    const m = buildLossMask([1, 2], [3, 5], 5);
    expect(Array.from(m.dataSync())).toEqual([0, 1, 1, 0, 0, 0, 0, 1, 1, 1]);
    m.dispose();
  });

  it('names the bad sequence', () => {
    expect(() => buildLossMask([3], [2], 4)).toThrow(/sequence 0 needs 0 <= promptLength \(3\) <= totalLength \(2\)/);
    expect(() => buildLossMask([0, 1], [2, 6], 4)).toThrow(/sequence 1 .*seqLen \(4\)/);
    expect(() => buildLossMask([0], [1, 2])).toThrow(/1 prompt lengths but 2 total lengths/);
  });
});

describe('responseOnlyCrossEntropy', () => {
  it('uses position t to predict token t+1 and averages over response tokens — hand case', () => {
    // B=1, T=3, V=2. Prompt = token 0; response = tokens 1, 2.
    // Position 0 logits [0, 0] predict token 1 (= 1): −log(1/2) = ln 2.
    // Position 1 logits [ln 3, 0] predict token 2 (= 0): −log(3/4).
    // Position 2 is never used (nothing follows it).
    const logits = tf.tensor3d([0, 0, Math.log(3), 0, 100, -100], [1, 3, 2]);
    const targets = tf.tensor2d([1, 1, 0], [1, 3], 'int32');
    const mask = buildLossMask([1], [3]);
    const before = tf.memory().numTensors;
    const loss = responseOnlyCrossEntropy(logits, targets, mask);
    expect(loss.dataSync()[0]).toBeCloseTo((Math.LN2 - Math.log(0.75)) / 2, 6);
    loss.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, targets, mask]);
  });

  it('ignores prompt and padding targets, even when they are not valid token ids', () => {
    const logits = tf.tensor3d([0, 0, 0, 0, 0, 0], [1, 3, 2]);
    const targets = tf.tensor2d([-100, 1, 99], [1, 3], 'int32'); // token 2 is padding
    const mask = buildLossMask([1], [2], 3);
    const loss = responseOnlyCrossEntropy(logits, targets, mask);
    expect(loss.dataSync()[0]).toBeCloseTo(Math.LN2, 6);
    tf.dispose([logits, targets, mask, loss]);
  });

  it("matches torch F.cross_entropy(ignore_index=-100) on the shifted labels, value and gradient", () => {
    const c = fixture.responseLoss;
    const logits = tf.tensor3d(c.logits, [c.B, c.T, c.V]);
    const targets = tf.tensor2d(c.targets, [c.B, c.T], 'int32');
    const mask = buildLossMask(c.promptLengths, c.totalLengths, c.T);
    const before = tf.memory().numTensors;
    const { value, grad } = tf.valueAndGrad((z: tf.Tensor) => responseOnlyCrossEntropy(z as tf.Tensor3D, targets, mask))(logits);
    expect(Math.abs(value.dataSync()[0] - c.loss)).toBeLessThan(1e-5);
    const g = grad.dataSync();
    c.gradLogits.forEach((v, i) => expect(Math.abs(g[i] - v)).toBeLessThan(1e-6));
    tf.dispose([value, grad]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, targets, mask]);
  });

  it('reports out-of-vocabulary targets, empty masks and shape mismatches', () => {
    const logits = tf.zeros([1, 3, 2]) as tf.Tensor3D;
    const bad = tf.tensor2d([0, 5, 0], [1, 3], 'int32');
    const ok = tf.tensor2d([0, 1, 0], [1, 3], 'int32');
    const mask = buildLossMask([1], [3]);
    const empty = buildLossMask([3], [3]);
    const short = buildLossMask([1], [2]);
    expect(() => responseOnlyCrossEntropy(logits, bad, mask)).toThrow(/target token 5 at \[0, 1\] is outside the vocabulary \[0, 2\)/);
    expect(() => responseOnlyCrossEntropy(logits, ok, empty)).toThrow(/selects no response token/);
    expect(() => responseOnlyCrossEntropy(logits, ok, short)).toThrow(/mask shape \[1, 2\] does not match logits \[1, 3/);
    tf.dispose([logits, bad, ok, mask, empty, short]);
  });
});
