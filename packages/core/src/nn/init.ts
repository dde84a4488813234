import * as tf from '@tensorflow/tfjs';
import { defaultRng } from '../random/global-rng.js';
import type { Rng } from '../random/rng.js';

/**
 * Weight initialisers with PyTorch/timm semantics. Each returns a NEW float32 tensor of
 * `shape`, drawn from the given seeded `Rng` (default: the global one), so the same seed gives
 * the same weights on every backend. Fans follow torch: weight [out, in, ...receptive].
 */

export type Nonlinearity = 'linear' | 'conv' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fan_in' | 'fan_out';

/** `torch.nn.init.calculate_gain`. `param` is the leaky_relu negative slope (default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new Error(`calculateGain: unknown nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/** `torch.nn.init._calculate_fan_in_and_fan_out`. */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new Error(`computeFans: needs at least 2 dimensions, got shape [${shape}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function zeros(shape: readonly number[]): tf.Tensor {
  return tf.zeros([...shape], 'float32');
}

export function ones(shape: readonly number[]): tf.Tensor {
  return tf.ones([...shape], 'float32');
}

export function constant(shape: readonly number[], value: number): tf.Tensor {
  return tf.fill([...shape], value, 'float32');
}

export function uniform(shape: readonly number[], low = 0, high = 1, rng: Rng = defaultRng()): tf.Tensor {
  return tf.tensor(rng.fillUniform(size(shape), low, high), [...shape], 'float32');
}

export function normal(shape: readonly number[], mean = 0, std = 1, rng: Rng = defaultRng()): tf.Tensor {
  return tf.tensor(rng.fillNormal(size(shape), mean, std), [...shape], 'float32');
}

export interface TruncNormalOptions {
  mean?: number;
  std?: number;
  /** ABSOLUTE lower bound (timm semantics: not in units of std). */
  a?: number;
  /** ABSOLUTE upper bound. */
  b?: number;
  rng?: Rng;
}

/**
 * timm `trunc_normal_`: N(mean, std²) restricted to [a, b] (absolute bounds, default ±2, so
 * with std 0.02 it is effectively untruncated). Drawn by rejection, which samples the
 * truncated distribution exactly.
 */
export function truncNormal(shape: readonly number[], opts: TruncNormalOptions = {}): tf.Tensor {
  const { mean = 0, std = 1, a = -2, b = 2, rng = defaultRng() } = opts;
  if (!(std > 0)) throw new RangeError(`truncNormal: std must be > 0, got ${std}`);
  if (!(a < b)) throw new RangeError(`truncNormal: need a < b, got a=${a}, b=${b}`);
  const out = new Float32Array(size(shape));
  for (let i = 0; i < out.length; i++) {
    let v = Number.NaN;
    for (let tries = 0; tries < 10_000; tries++) {
      const z = mean + std * rng.normal();
      if (z >= a && z <= b) {
        v = z;
        break;
      }
    }
    if (Number.isNaN(v)) throw new RangeError(`truncNormal: [${a}, ${b}] lies too far in the tail of N(${mean}, ${std}²) to sample`);
    out[i] = v;
  }
  return tf.tensor(out, [...shape], 'float32');
}

export function xavierUniform(shape: readonly number[], gain = 1, rng: Rng = defaultRng()): tf.Tensor {
  const { fanIn, fanOut } = computeFans(shape);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(shape, -bound, bound, rng);
}

export function xavierNormal(shape: readonly number[], gain = 1, rng: Rng = defaultRng()): tf.Tensor {
  const { fanIn, fanOut } = computeFans(shape);
  return normal(shape, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), rng);
}

export interface KaimingOptions {
  /** leaky_relu negative slope (torch's `a`); default 0. */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
  rng?: Rng;
}

function kaimingStd(shape: readonly number[], opts: KaimingOptions): number {
  const { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' } = opts;
  const fans = computeFans(shape);
  const fan = mode === 'fan_in' ? fans.fanIn : fans.fanOut;
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/** `torch.nn.init.kaiming_uniform_`: U(−bound, bound), bound = gain·√(3 / fan). */
export function kaimingUniform(shape: readonly number[], opts: KaimingOptions = {}): tf.Tensor {
  const bound = Math.sqrt(3) * kaimingStd(shape, opts);
  return uniform(shape, -bound, bound, opts.rng);
}

/** `torch.nn.init.kaiming_normal_`: N(0, (gain / √fan)²). */
export function kaimingNormal(shape: readonly number[], opts: KaimingOptions = {}): tf.Tensor {
  return normal(shape, 0, kaimingStd(shape, opts), opts.rng);
}

/** Overwrites a parameter with a freshly initialised tensor (which is disposed). */
export function reinit(variable: tf.Variable, value: tf.Tensor): void {
  if (value.shape.join(',') !== variable.shape.join(',')) {
    value.dispose();
    throw new Error(`reinit: shape [${value.shape}] does not match parameter ${variable.name} [${variable.shape}]`);
  }
  variable.assign(value);
  value.dispose();
}
