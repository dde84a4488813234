import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits, roundToBf16, roundToF16 } from './half-float.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

describe('fp16 rounding (hand-computed)', () => {
  const cases: Array<[string, number, number]> = [
    ['largest finite stays', 65504, 65504],
    ['65519 rounds down to max', 65519, 65504],
    ['65520 (half an ulp above max) overflows', 65520, Infinity],
    ['negative overflow', -65520, -Infinity],
    ['1 + 2^-11 ties to even (1)', 1 + 2 ** -11, 1],
    ['1 + 3·2^-11 ties to even (1 + 2^-9)', 1 + 3 * 2 ** -11, 1 + 2 ** -9],
    ['smallest subnormal 2^-24 is exact', 2 ** -24, 2 ** -24],
    ['2^-25 ties to even (0)', 2 ** -25, 0],
    ['3·2^-26 rounds up to 2^-24', 3 * 2 ** -26, 2 ** -24],
    ['0.1', 0.1, 0.0999755859375],
    ['1e5 overflows', 1e5, Infinity],
  ];
  for (const [name, x, expected] of cases) {
    it(name, () => expect(roundToF16([x])[0]).toBe(expected));
  }
  it('keeps NaN, ±Inf and the sign of zero', () => {
    const r = roundToF16([Number.NaN, Infinity, -Infinity, -0]);
    expect(Number.isNaN(r[0])).toBe(true);
    expect([r[1], r[2]]).toEqual([Infinity, -Infinity]);
    expect(Object.is(r[3], -0)).toBe(true);
  });
});

describe('bf16 rounding (hand-computed)', () => {
  const cases: Array<[string, number, number]> = [
    ['1 + 2^-8 (1.00390625) ties to even (1)', 1.00390625, 1],
    ['1 + 3·2^-8 (1.01171875) ties to even (1.015625)', 1.01171875, 1.015625],
    ['0.1', 0.1, 0.10009765625],
    ['65520 stays finite (fp32 range)', 65520, 65536],
    ['1e30 stays finite', 1e30, bf16BitsToF32(f32ToBf16Bits(1e30))],
  ];
  for (const [name, x, expected] of cases) {
    it(name, () => expect(roundToBf16([x])[0]).toBe(expected));
  }
  it('1e30 is finite and within 2^-8 relative', () => {
    const r = roundToBf16([1e30])[0];
    expect(Number.isFinite(r)).toBe(true);
    expect(Math.abs(r - 1e30) / 1e30).toBeLessThan(2 ** -8);
  });
});

describe('against numpy float16 and torch bfloat16 (fixtures/gen_half.py)', () => {
  const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'half_rounding.json'), 'utf8')) as { f32_bits: number[]; f16_bits: number[]; bf16_bits: number[] };
  const values = new Float32Array(Uint32Array.from(ref.f32_bits).buffer);

  it(`fp16 bits equal numpy for all ${ref.f32_bits.length} values`, () => {
    const got = Array.from(values, (v) => f32ToF16Bits(v));
    expect(got).toEqual(ref.f16_bits);
  });

  it('bf16 bits equal torch for all values', () => {
    expect(Array.from(values, (v) => f32ToBf16Bits(v))).toEqual(ref.bf16_bits);
  });

  it('decoding is exact (fp16 → f32 → fp16 is the identity on every non-NaN pattern)', () => {
    for (let h = 0; h < 65536; h++) {
      const v = f16BitsToF32(h);
      if (!Number.isNaN(v)) expect(f32ToF16Bits(v)).toBe(h);
    }
  });
});
