import * as tf from '@tensorflow/tfjs';
import { roundToBf16, roundToF16 } from './half-float.js';

/**
 * Mixed-precision policy. tfjs has NO float16/bfloat16 dtype on any backend, so reduced
 * precision is emulated: values stay float32 in memory but are rounded to the format's
 * precision and range wherever a real AMP kernel would compute in that format.
 */
export type Precision = 'fp32' | 'fp16' | 'bf16';

export const PRECISIONS: readonly Precision[] = ['fp32', 'fp16', 'bf16'];

export function parsePrecision(value: string, where = 'precision'): Precision {
  if ((PRECISIONS as readonly string[]).includes(value)) return value as Precision;
  throw new Error(`${where}: expected one of ${PRECISIONS.join(', ')}, got ${JSON.stringify(value)}`);
}

function roundTensor(x: tf.Tensor, precision: 'fp16' | 'bf16'): tf.Tensor {
  const src = x.dataSync() as Float32Array;
  const rounded = precision === 'fp16' ? roundToF16(src) : roundToBf16(src);
  return tf.tensor(rounded, x.shape, 'float32');
}

/**
 * Rounds `x` to the policy's format (fp16: round-to-nearest-even to 10 mantissa bits,
 * subnormals, |x| ≥ 65520 → ±Inf; bf16: 7 mantissa bits, float32 range).
 * The gradient is straight-through (identity Jacobian) but is itself rounded to the format,
 * as the backward of a real fp16 kernel produces fp16 gradients — that is how a too-large loss
 * scale overflows and the loss scaler sees it. For `fp32` returns `x` itself.
 */
export function castToPolicy(x: tf.Tensor, precision: Precision): tf.Tensor {
  if (precision === 'fp32') return x;
  if (x.dtype !== 'float32') throw new TypeError(`castToPolicy: expected a float32 tensor, got ${x.dtype}`);
  const cast = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: roundTensor(args[0] as tf.Tensor, precision),
    gradFunc: (dy: tf.Tensor) => roundTensor(dy, precision),
  }));
  return cast(x);
}

let autocastPrecision: Precision = 'fp32';

/** The precision layers use for matmul-like work right now (like `torch.autocast`). */
export function getAutocastPrecision(): Precision {
  return autocastPrecision;
}

/**
 * Runs `fn` with matmul-like layers (Linear, and anything using `autocastMatmulInput`)
 * computing in `precision`. Norms, softmax and losses stay fp32, as under torch autocast.
 * Synchronous only: the previous precision is restored when `fn` returns or throws.
 */
export function autocast<T>(precision: Precision, fn: () => T): T {
  const previous = autocastPrecision;
  autocastPrecision = precision;
  try {
    return fn();
  } finally {
    autocastPrecision = previous;
  }
}

/** Sets the autocast precision until changed again (for loops that cannot wrap a callback). */
export function setAutocastPrecision(precision: Precision): void {
  autocastPrecision = precision;
}

/** Casts `x` to the current autocast precision (identity under fp32). */
export function autocastCast(x: tf.Tensor): tf.Tensor {
  return castToPolicy(x, autocastPrecision);
}
