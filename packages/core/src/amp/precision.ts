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

/**
 * Backends whose tensors live in host memory (JS arrays, the wasm heap): there a read-back is a
 * plain copy and the bit-level JS loop is faster than the tensor-op rounding (measured on a
 * [256, 768] tensor: wasm 2.4 ms vs 5.4 ms, cpu 1.9 ms vs 49 ms). On device backends
 * (tfjs-node-gpu, webgl, webgpu) a read-back would stall the device, so the tensor ops are used.
 */
const HOST_MEMORY_BACKENDS: ReadonlySet<string> = new Set(['cpu', 'wasm']);

function roundTensor(x: tf.Tensor, precision: 'fp16' | 'bf16'): tf.Tensor {
  if (!HOST_MEMORY_BACKENDS.has(tf.getBackend())) return roundWithTensorOps(x, precision);
  const src = x.dataSync() as Float32Array;
  return tf.tensor(precision === 'fp16' ? roundToF16(src) : roundToBf16(src), x.shape, 'float32');
}

/**
 * Rounds a float32 tensor to fp16/bf16 values with tensor ops only (no read-back to JS, so it
 * stays on the device of any backend). Bit-exact with `roundToF16` / `roundToBf16`: every
 * float32 bit pattern was checked against numpy's float16 cast, and 2·10⁸ patterns (all
 * subnormals, the top binades, random ones) against torch's bfloat16 cast
 * (fixtures/check_cast_ops.py); the tests compare both on cpu and wasm.
 * The backend must do IEEE float32 arithmetic (cpu, wasm: yes). A backend that flushes float32
 * subnormals to zero (native TensorFlow on CPU) rounds bf16 subnormals (< 2⁻¹²⁶) to ±0.
 */
export function roundWithTensorOps(x: tf.Tensor, precision: 'fp16' | 'bf16'): tf.Tensor {
  return tf.tidy(() => {
    const a = tf.abs(x);
    let r: tf.Tensor;
    if (precision === 'fp16') {
      // normal fp16 range: 11 significant bits; below 2⁻¹⁴: fixed subnormal quantum 2⁻²⁴
      r = tf.where(tf.less(a, 2 ** -14), roundToQuantum(x, [2 ** 24], [2 ** -24]), veltkampHigh(x, 13));
      r = tf.where(tf.greaterEqual(a, 65520), tf.mul(x, Infinity), r); // half an ulp above 65504
    } else {
      // 8 significant bits; scaled by 2⁻⁶⁴ where x·(2¹⁶+1) would overflow; bf16 subnormal quantum 2⁻¹³³
      const big = tf.greaterEqual(a, 2 ** 100);
      const normal = tf.where(big, tf.mul(veltkampHigh(tf.mul(x, 2 ** -64), 16), 2 ** 64), veltkampHigh(x, 16));
      r = tf.where(tf.less(a, 2 ** -126), roundToQuantum(x, [2 ** 64, 2 ** 69], [2 ** -64, 2 ** -69]), normal);
    }
    return tf.where(tf.isFinite(x), r, x); // ±Inf and NaN pass through
  });
}

/**
 * Veltkamp's split: c = x·(2ˢ+1), hi = c − (c − x) is x rounded to nearest (ties to even) to
 * 24 − s significant bits, when every op is a correctly rounded float32 op.
 */
function veltkampHigh(x: tf.Tensor, s: number): tf.Tensor {
  const c = tf.mul(x, 2 ** s + 1);
  return tf.sub(c, tf.sub(c, x));
}

/**
 * x rounded to a multiple of q = Π down (= 1 / Π up, powers of two, applied one by one so each
 * factor is a float32): y = x/q, then (y + 1.5·2²³) − 1.5·2²³ rounds y to an integer, ties to
 * even (valid for |y| < 2²²). A result of 0 keeps the sign of x, as a hardware cast does.
 */
function roundToQuantum(x: tf.Tensor, up: number[], down: number[]): tf.Tensor {
  const magic = 1.5 * 2 ** 23;
  let y = up.reduce((t, f) => tf.mul(t, f), x);
  y = tf.sub(tf.add(y, magic), magic);
  const r = down.reduce((t, f) => tf.mul(t, f), y);
  return tf.where(tf.equal(r, 0), tf.mul(x, 0), r);
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
