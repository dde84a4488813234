import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, withBackend } from '../backend/index.js';
import { Linear } from '../nn/linear.js';
import { f16BitsToF32, roundToBf16, roundToF16 } from './half-float.js';
import { autocast, castToPolicy, getAutocastPrecision, parsePrecision, roundWithTensorOps } from './precision.js';

// Importing the backend module registers wasm (highest priority): pick cpu explicitly.
beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

/**
 * float32 values at every binade's rounding boundaries for a format keeping `keptBits` of the
 * 23 mantissa bits: each kept mantissa pattern (sampled) with the dropped bits 0, 1, just below
 * half, half (a tie), just above half and all ones; both signs; plus Inf, NaN, ±0, extremes.
 */
function boundaryValues(keptBits: number, exponents: number[]): Float32Array {
  const drop = 23 - keptBits;
  const half = 2 ** (drop - 1);
  const lows = [0, 1, half - 1, half, half + 1, 2 ** drop - 1];
  const bits: number[] = [0x7f800000, 0x7fc00000, 0, 0x7f7fffff, 1];
  for (const e of exponents) {
    for (let m = 0; m < 2 ** keptBits; m += m < 8 || m > 2 ** keptBits - 8 ? 1 : 5) {
      for (const low of lows) bits.push(((e << 23) | (m << drop) | low) >>> 0);
    }
  }
  const withSigns = bits.flatMap((b) => [b, (b | 0x80000000) >>> 0]);
  return new Float32Array(Uint32Array.from(withSigns).buffer);
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

function sameBits(got: Float32Array, want: Float32Array): number {
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  let bad = 0;
  for (let i = 0; i < got.length; i++) if (g[i] !== w[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) bad++;
  return bad;
}

describe('the tensor-op rounding (device backends) is bit-exact with the bit-level rounding', () => {
  // fp16: biased float32 exponents 100..143 span fp16 underflow (< 2^-25) to overflow (≥ 2^16).
  const f16Values = boundaryValues(10, range(100, 143));
  // bf16: every float32 exponent, subnormals (0) and the top binade included.
  const bf16Values = boundaryValues(7, range(0, 254));
  const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'half_rounding.json'), 'utf8')) as { f32_bits: number[]; f16_bits: number[]; bf16_bits: number[] };
  const fixtureValues = new Float32Array(Uint32Array.from(ref.f32_bits).buffer);

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`${backend}: fp16 on ${f16Values.length} boundary values and bf16 on ${bf16Values.length}`, async () => {
      await withBackend(backend, () => {
        for (const [precision, values, bitLevel] of [['fp16', f16Values, roundToF16], ['bf16', bf16Values, roundToBf16]] as const) {
          const x = tf.tensor(values);
          const y = roundWithTensorOps(x, precision);
          expect(sameBits(y.dataSync() as Float32Array, bitLevel(values)), precision).toBe(0);
          tf.dispose([x, y]);
        }
      });
    });

    it(`${backend}: equals numpy float16 / torch bfloat16 on the fixture (fixtures/gen_half.py)`, async () => {
      await withBackend(backend, () => {
        const x = tf.tensor(fixtureValues);
        const f16 = roundWithTensorOps(x, 'fp16').dataSync() as Float32Array;
        const bf16 = roundWithTensorOps(x, 'bf16').dataSync() as Float32Array;
        // expected values decoded from numpy's fp16 bits, not from our own rounding
        const f16Want = Float32Array.from(ref.f16_bits, (b) => f16BitsToF32(b));
        const bfWant = new Float32Array(new Uint32Array(ref.bf16_bits.map((b) => (b << 16) >>> 0)).buffer);
        expect(sameBits(bf16, bfWant)).toBe(0);
        expect(sameBits(f16, f16Want)).toBe(0);
        x.dispose();
      });
    });

    it(`${backend}: reads nothing back to JS`, async () => {
      await withBackend(backend, () => {
        const x = tf.tensor1d([1, 70000, 1e-6]);
        const backendImpl = tf.backend() as unknown as { readSync: (id: object) => unknown };
        const original = backendImpl.readSync;
        let reads = 0;
        backendImpl.readSync = function (this: unknown, id: object) {
          reads++;
          return original.call(this, id);
        };
        try {
          const y = [roundWithTensorOps(x, 'fp16'), roundWithTensorOps(x, 'bf16')];
          expect(reads).toBe(0);
          tf.dispose(y);
        } finally {
          backendImpl.readSync = original;
        }
        x.dispose();
      });
    });
  }
});

describe('castToPolicy', () => {
  it('rounds values to the format and leaves fp32 alone', () => {
    const x = tf.tensor1d([65519, 65520, 1 + 2 ** -11, 0.1]);
    expect(Array.from(castToPolicy(x, 'fp16').dataSync())).toEqual([65504, Infinity, 1, 0.0999755859375]);
    expect(Array.from(castToPolicy(x, 'bf16').dataSync())).toEqual([65536, 65536, 1, 0.10009765625]);
    expect(castToPolicy(x, 'fp32')).toBe(x);
  });

  it('has a straight-through gradient, itself rounded to the format (as an fp16 backward is)', () => {
    const x = tf.tensor1d([0.5, 70000]);
    const dy = tf.tensor1d([1 + 2 ** -11, 1e5]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(castToPolicy(a, 'fp16'), dy)))(x);
    // d/dx Σ dy·round(x) = round(dy) elementwise: 1+2^-11 → 1, 1e5 → Inf in fp16
    expect(Array.from(g.dataSync())).toEqual([1, Infinity]);
    const gb = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(castToPolicy(a, 'bf16'), dy)))(x);
    expect(Array.from(gb.dataSync())).toEqual([1, 99840]);
  });

  it('rejects int tensors and unknown policies', () => {
    expect(() => castToPolicy(tf.tensor1d([1], 'int32'), 'fp16')).toThrow(/float32/);
    expect(() => parsePrecision('fp8', 'config.precision')).toThrow(/config\.precision: expected one of fp32, fp16, bf16, got "fp8"/);
  });
});

describe('autocast', () => {
  it('Linear overflows to Inf in fp16 where fp32 and bf16 stay finite', () => {
    const lin = new Linear(2, 1);
    lin.weight.assign(tf.tensor2d([[300, 300]]));
    lin.bias!.assign(tf.zeros([1]));
    const x = tf.tensor2d([[100, 20]]); // 36000: fine in fp16;  [[200, 20]] → 66000: overflows
    expect(autocast('fp16', () => lin.forward(x).dataSync()[0])).toBe(36000);
    const big = tf.tensor2d([[200, 20]]);
    expect(autocast('fp16', () => lin.forward(big).dataSync()[0])).toBe(Infinity);
    expect(autocast('bf16', () => lin.forward(big).dataSync()[0])).toBe(66048); // bf16(66000)
    expect(lin.forward(big).dataSync()[0]).toBe(66000);
    expect(getAutocastPrecision()).toBe('fp32');
    lin.dispose();
  });

  it('restores the previous precision when the body throws', () => {
    expect(() =>
      autocast('bf16', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(getAutocastPrecision()).toBe('fp32');
  });
});
