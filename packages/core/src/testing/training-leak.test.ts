import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, withBackend } from '../backend/index.js';
import { DynamicLossScaler } from '../amp/loss-scaler.js';
import { autocast } from '../amp/precision.js';
import { MLP } from '../nn/mlp.js';
import { AdamW } from '../optim/adamw.js';
import { clipGradNorm } from '../optim/clip-grad-norm.js';
import { cosine } from '../optim/schedules.js';
import { Rng } from '../random/rng.js';

// Importing the backend module registers wasm (highest priority): pick cpu explicitly.
beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

/** forward (fp16 autocast, dropout), loss, grads, unscale, clip, AdamW via scaler, schedule. */
function trainStep(model: MLP, opt: AdamW, scaler: DynamicLossScaler, x: tf.Tensor, y: tf.Tensor, step: number): number {
  opt.setLrFactor(cosine(50, { min: 0.1 })(step));
  const { value, grads } = tf.variableGrads(
    () => scaler.scaleLoss(tf.losses.meanSquaredError(y, autocast('fp16', () => model.forward(x)))) as tf.Scalar,
    model.trainableParameters(),
  );
  const loss = value.dataSync()[0] / scaler.scale;
  const { grads: unscaled } = scaler.unscale(grads);
  const { grads: clipped } = clipGradNorm(unscaled, 1.0);
  scaler.step(opt, clipped);
  scaler.update();
  [value, ...Object.values(grads), ...Object.values(unscaled), ...Object.values(clipped)].forEach((t) => t.dispose());
  return loss;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`training loop on ${backend}`, () => {
    it('leaks no tensors across 50 steps and the loss goes down', async () => {
      await withBackend(backend, () => {
        const rng = new Rng(7);
        const model = new MLP(4, { hiddenFeatures: 8, outFeatures: 2, drop: 0.1, rng });
        const opt = new AdamW(model, { lr: 1e-2, weightDecay: 0.01 });
        const scaler = new DynamicLossScaler({ initScale: 2 ** 10, growthInterval: 10 });
        const x = tf.tensor2d(rng.fillNormal(16 * 4), [16, 4]);
        const y = tf.tensor2d(rng.fillNormal(16 * 2), [16, 2]);
        const first = trainStep(model, opt, scaler, x, y, 0); // creates optimizer state
        const before = tf.memory().numTensors;
        let last = first;
        for (let step = 1; step <= 50; step++) last = trainStep(model, opt, scaler, x, y, step);
        expect(tf.memory().numTensors).toBe(before);
        expect(last).toBeLessThan(first);
        expect(scaler.scale).toBeGreaterThan(2 ** 10); // clean steps grew it
        opt.dispose();
        model.dispose();
        x.dispose();
        y.dispose();
      });
    });
  });
}
