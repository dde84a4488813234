import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Linear } from '../nn/linear.js';
import { SGD } from '../optim/sgd.js';
import { DynamicLossScaler } from './loss-scaler.js';
import { autocast, type Precision } from './precision.js';

/** One training iteration of y = w·x + b with loss = mean(y), the GradScaler way. */
function iteration(model: Linear, opt: SGD, scaler: DynamicLossScaler, precision: Precision) {
  const x = tf.tensor2d([[1]]);
  const { grads } = tf.variableGrads(() => scaler.scaleLoss(tf.mean(autocast(precision, () => model.forward(x)))) as tf.Scalar, model.trainableParameters());
  const { grads: unscaled, foundInf } = scaler.unscale(grads);
  const { skipped } = scaler.step(opt, unscaled);
  scaler.update();
  [x, ...Object.values(grads), ...Object.values(unscaled)].forEach((t) => t.dispose());
  return { skipped, foundInf };
}

function toyModel(): Linear {
  const m = new Linear(1, 1);
  m.weight.assign(tf.tensor2d([[1]]));
  m.bias!.assign(tf.tensor1d([0]));
  return m;
}

describe('DynamicLossScaler (torch GradScaler semantics)', () => {
  it('fp16: a step whose scaled gradient overflows is skipped and the scale backs off', () => {
    const model = toyModel();
    const opt = new SGD(model, { lr: 0.1 });
    const scaler = new DynamicLossScaler();
    expect(scaler.scale).toBe(2 ** 16);
    // dLoss/dy · 2^16 = 65536 > fp16 max: the emulated fp16 backward gives Inf.
    const first = iteration(model, opt, scaler, 'fp16');
    expect(first).toEqual({ skipped: true, foundInf: true });
    expect(scaler.scale).toBe(2 ** 15);
    expect(model.weight.dataSync()[0]).toBe(1); // untouched
    // 32768 fits in fp16: the step is taken with the unscaled gradient 1.
    const second = iteration(model, opt, scaler, 'fp16');
    expect(second).toEqual({ skipped: false, foundInf: false });
    expect(scaler.scale).toBe(2 ** 15);
    expect(model.weight.dataSync()[0]).toBeCloseTo(0.9, 6);
    expect(model.bias!.dataSync()[0]).toBeCloseTo(-0.1, 6);
    model.dispose();
  });

  it('bf16 does not overflow where fp32 does not (same step, same scale)', () => {
    for (const precision of ['bf16', 'fp32'] as const) {
      const model = toyModel();
      const scaler = new DynamicLossScaler();
      expect(iteration(model, new SGD(model, { lr: 0.1 }), scaler, precision)).toEqual({ skipped: false, foundInf: false });
      expect(scaler.scale).toBe(2 ** 16);
      expect(model.weight.dataSync()[0]).toBeCloseTo(0.9, 6);
      model.dispose();
    }
  });

  it('grows ×2 after growthInterval clean steps; an overflow resets the count', () => {
    const s = new DynamicLossScaler({ initScale: 4, growthInterval: 3 });
    const clean = { a: tf.ones([2]) };
    const bad = { a: tf.tensor1d([1, Number.NaN]) };
    const tick = (g: tf.NamedTensorMap) => {
      const r = s.unscale(g);
      Object.values(r.grads).forEach((t) => t.dispose());
      s.update();
    };
    tick(clean);
    tick(clean);
    expect(s.scale).toBe(4);
    tick(clean);
    expect(s.scale).toBe(8);
    tick(clean);
    tick(clean);
    tick(bad);
    expect(s.scale).toBe(4);
    tick(clean);
    tick(clean);
    expect(s.scale).toBe(4);
    tick(clean);
    expect(s.scale).toBe(8);
    // the state dict resumes mid-count
    tick(clean);
    const restored = new DynamicLossScaler({ growthInterval: 3 });
    restored.loadStateDict(s.stateDict());
    expect(restored.stateDict()).toEqual({ ...s.stateDict() });
    expect(restored.scale).toBe(8);
  });

  it('unscales by 1/scale and enforces the call order', () => {
    const s = new DynamicLossScaler({ initScale: 8 });
    expect(() => s.step({ step: () => undefined }, {})).toThrow(/call unscale\(grads\) first/);
    const r = s.unscale({ a: tf.tensor1d([8, 16]) });
    expect(Array.from(r.grads.a.dataSync())).toEqual([1, 2]);
    expect(() => s.unscale({})).toThrow(/already called/);
    s.update();
    expect(() => s.loadStateDict({ ...s.stateDict(), scale: -1 })).toThrow(/field "scale"/);
  });

  it('disabled: scale 1 and plain optimizer steps', () => {
    const s = new DynamicLossScaler({ enabled: false });
    expect(s.scale).toBe(1);
    let stepped = 0;
    s.unscale({ a: tf.tensor1d([Infinity]) });
    expect(s.step({ step: () => void stepped++ }, {}).skipped).toBe(false);
    s.update();
    expect(stepped).toBe(1);
    expect(s.scale).toBe(1);
  });
});
