import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, withBackend } from '../backend/index.js';
import { Linear } from '../nn/linear.js';
import { SGD } from '../optim/sgd.js';
import { DynamicLossScaler, allFinite } from './loss-scaler.js';
import { autocast, type Precision } from './precision.js';

// Importing the backend module registers wasm (highest priority): pick cpu explicitly.
beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

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

  it('loadStateDict restores the growth/backoff hyper-parameters too (torch load_state_dict)', () => {
    const saved = new DynamicLossScaler({ initScale: 16, growthInterval: 2, growthFactor: 4, backoffFactor: 0.25 });
    Object.values(saved.unscale({ g: tf.ones([1]) }).grads).forEach((t) => t.dispose());
    saved.update(); // tracker 1 of 2
    const resumed = new DynamicLossScaler(); // defaults: 2^16, ×2 every 2000
    resumed.loadStateDict(JSON.parse(JSON.stringify(saved.stateDict())));
    expect(resumed.stateDict()).toEqual(saved.stateDict());
    const clean = tf.ones([1]);
    Object.values(resumed.unscale({ g: clean }).grads).forEach((t) => t.dispose());
    resumed.update(); // second clean step of 2: ×4
    expect(resumed.scale).toBe(64);
    expect(() => resumed.loadStateDict({ ...saved.stateDict(), backoffFactor: 2 })).toThrow(/loadStateDict: field backoffFactor must be in \(0, 1\), got 2/);
    clean.dispose();
  });

  it('scaleLoss leaves no tensor behind but its result, also outside a tidy', () => {
    const s = new DynamicLossScaler({ initScale: 8 });
    const loss = tf.scalar(0.5);
    const before = tf.memory().numTensors;
    const scaled = s.scaleLoss(loss);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(scaled.dataSync()[0]).toBe(4);
    tf.dispose([loss, scaled]);
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

  it('keeps the scale in float32 as torch does: a growth that would overflow float32 is not applied', () => {
    // torch's _amp_update_scale_: new_scale = float(scale·growth); applied only if finite.
    const s = new DynamicLossScaler({ initScale: 2 ** 127, growthInterval: 1 });
    const tick = (g: tf.Tensor) => {
      Object.values(s.unscale({ g }).grads).forEach((t) => t.dispose());
      s.update();
    };
    const clean = tf.ones([1]);
    tick(clean);
    expect(s.scale).toBe(2 ** 127); // 2^128 is Inf in float32: kept
    expect(s.stateDict().growthTracker).toBe(0); // the count restarts all the same
    // the initial scale and every backoff are rounded to float32 too
    const b = new DynamicLossScaler({ initScale: 0.1 });
    expect(b.scale).toBe(Math.fround(0.1));
    Object.values(b.unscale({ g: tf.tensor1d([Number.NaN]) }).grads).forEach((t) => t.dispose());
    b.update();
    expect(b.scale).toBe(Math.fround(Math.fround(0.1) * 0.5));
    expect(() => new DynamicLossScaler({ initScale: 1e39 })).toThrow(/initScale must be > 0 and finite in float32/);
    clean.dispose();
  });
});

describe('allFinite', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`${backend}: empty tensors are finite (wasm reductions over 0 elements read garbage)`, async () => {
      await withBackend(backend, () => {
        const empty = tf.zeros([0, 3]);
        const nan = tf.tensor1d([1, Number.NaN]);
        const inf = tf.tensor1d([-Infinity]);
        const ok = tf.tensor1d([1, -2]);
        // repeated: the uninitialised memory differs between calls
        for (let i = 0; i < 5; i++) expect(allFinite(empty, ok)).toBe(true);
        expect(allFinite(empty)).toBe(true);
        expect(allFinite()).toBe(true);
        expect(allFinite(empty, nan)).toBe(false);
        expect(allFinite(ok, inf)).toBe(false);
        tf.dispose([empty, nan, inf, ok]);
      });
    });
  }
});
