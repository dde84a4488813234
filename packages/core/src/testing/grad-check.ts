import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng.js';

/**
 * Finite-difference gradient checkers for tests of any package.
 *
 * tfjs computes in float32, so: the output is reduced to a scalar with fixed random weights
 * (every output element contributes) and that sum is taken in float64 in JS; derivatives use
 * central differences (error O(eps²)) with the perturbation actually representable in float32
 * as denominator. Defaults (eps 1e-3, rtol 1e-2, atol 1e-3) suit O(1) values.
 */
export interface GradCheckOptions {
  eps?: number;
  rtol?: number;
  atol?: number;
  /** Indices of the inputs to check (`gradCheck` only); default every float32 input. */
  wrt?: number[];
  /** Seed of the random output projection. */
  seed?: number;
}

export interface GradCheckMismatch {
  /** Index of the input (or variable) and of the element within it. */
  input: number;
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradCheckReport {
  ok: boolean;
  checked: number;
  maxAbsError: number;
  /** Worst mismatches, at most 10. */
  failures: GradCheckMismatch[];
}

/** One differentiated tensor: its values and how to evaluate the objective at other values. */
interface Slot {
  base: Float32Array;
  analytic: Float32Array;
  objectiveAt(values: Float32Array): number;
}

/** Checks the gradient of `fn(...inputs)` with respect to (some of) its tensor inputs. */
export function gradCheck(fn: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], opts: GradCheckOptions = {}): GradCheckReport {
  const wrt = opts.wrt ?? inputs.map((x, i) => (x.dtype === 'float32' ? i : -1)).filter((i) => i >= 0);
  for (const i of wrt) {
    if (inputs[i]?.dtype !== 'float32') throw new TypeError(`gradCheck: input ${i} must be a float32 tensor to be differentiated`);
  }
  const weights = projectionWeights(() => fn(...inputs), opts.seed);
  const objective = (xs: tf.Tensor[]) => weightedSum(tf.tidy(() => fn(...xs).dataSync()), weights.values);
  const analytic = tf.tidy(() => {
    const w = tf.tensor(weights.values, weights.shape, 'float32');
    const f = (...xs: tf.Tensor[]) => {
      const all = inputs.slice();
      wrt.forEach((i, k) => (all[i] = xs[k]));
      return tf.sum(tf.mul(fn(...all), w));
    };
    return tf.grads(f)(wrt.map((i) => inputs[i])).map((g) => Float32Array.from(g.dataSync()));
  });
  const slots: Slot[] = wrt.map((inputIndex, k) => ({
    base: Float32Array.from(inputs[inputIndex].dataSync()),
    analytic: analytic[k],
    objectiveAt: (values) => {
      const replaced = tf.tensor(values, inputs[inputIndex].shape, 'float32');
      try {
        const xs = inputs.slice();
        xs[inputIndex] = replaced;
        return objective(xs);
      } finally {
        replaced.dispose();
      }
    },
  }));
  return compareSlots(slots, opts, wrt);
}

/**
 * Checks the gradient of `fn()` with respect to variables it reads (a module's parameters):
 * analytic via `tf.variableGrads`, numeric by assigning perturbed values (restored after).
 */
export function gradCheckVariables(fn: () => tf.Tensor, variables: tf.Variable[], opts: GradCheckOptions = {}): GradCheckReport {
  const weights = projectionWeights(fn, opts.seed);
  const objective = () => weightedSum(tf.tidy(() => fn().dataSync()), weights.values);
  const analytic = tf.tidy(() => {
    const w = tf.tensor(weights.values, weights.shape, 'float32');
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(fn(), w)) as tf.Scalar, variables);
    return variables.map((v) => {
      const g = grads[v.name];
      if (!g) throw new Error(`gradCheckVariables: no gradient reached variable ${v.name}`);
      return Float32Array.from(g.dataSync());
    });
  });
  const slots: Slot[] = variables.map((v, k) => {
    const base = Float32Array.from(v.dataSync());
    return {
      base,
      analytic: analytic[k],
      objectiveAt: (values) => {
        try {
          tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
          return objective();
        } finally {
          tf.tidy(() => v.assign(tf.tensor(base, v.shape, 'float32')));
        }
      },
    };
  });
  return compareSlots(
    slots,
    opts,
    variables.map((_, i) => i),
  );
}

function projectionWeights(fn: () => tf.Tensor, seed = 1234): { shape: number[]; values: Float32Array } {
  const shape = tf.tidy(() => fn().shape);
  const values = new Rng(seed).fillUniform(
    shape.reduce((a, b) => a * b, 1),
    0.5,
    1.5,
  );
  return { shape, values };
}

function weightedSum(out: ArrayLike<number>, weights: Float32Array): number {
  let s = 0;
  for (let k = 0; k < out.length; k++) s += weights[k] * out[k];
  return s;
}

function compareSlots(slots: Slot[], opts: GradCheckOptions, labels: number[]): GradCheckReport {
  const { eps = 1e-3, rtol = 1e-2, atol = 1e-3 } = opts;
  const report: GradCheckReport = { ok: true, checked: 0, maxAbsError: 0, failures: [] };
  const mismatches: Array<GradCheckMismatch & { excess: number }> = [];
  slots.forEach((slot, k) => {
    for (let j = 0; j < slot.base.length; j++) {
      const plus = Float32Array.from(slot.base);
      const minus = Float32Array.from(slot.base);
      plus[j] = slot.base[j] + eps;
      minus[j] = slot.base[j] - eps;
      // Denominator: the perturbation float32 could actually represent.
      const numeric = (slot.objectiveAt(plus) - slot.objectiveAt(minus)) / (plus[j] - minus[j]);
      const analytic = slot.analytic[j];
      const err = Math.abs(analytic - numeric);
      report.checked++;
      report.maxAbsError = Math.max(report.maxAbsError, err);
      const excess = err - (atol + rtol * Math.abs(numeric));
      if (!(excess <= 0)) mismatches.push({ input: labels[k], index: j, analytic, numeric, excess });
    }
  });
  mismatches.sort((x, y) => y.excess - x.excess);
  report.failures = mismatches.slice(0, 10).map(({ excess: _excess, ...m }) => m);
  report.ok = mismatches.length === 0;
  return report;
}

function throwIfFailed(report: GradCheckReport): GradCheckReport {
  if (!report.ok) {
    const lines = report.failures.map((f) => `  input ${f.input}[${f.index}]: analytic ${f.analytic}, numeric ${f.numeric}`);
    throw new Error(`gradCheck failed (${report.failures.length}+ of ${report.checked} derivatives off):\n${lines.join('\n')}`);
  }
  return report;
}

/** `gradCheck` that throws a readable error listing the worst mismatches. */
export function assertGradCheck(fn: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], opts: GradCheckOptions = {}): GradCheckReport {
  return throwIfFailed(gradCheck(fn, inputs, opts));
}

/** `gradCheckVariables` that throws a readable error listing the worst mismatches. */
export function assertGradCheckVariables(fn: () => tf.Tensor, variables: tf.Variable[], opts: GradCheckOptions = {}): GradCheckReport {
  return throwIfFailed(gradCheckVariables(fn, variables, opts));
}
