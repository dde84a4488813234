/**
 * Bit-exact IEEE binary16 (fp16) and bfloat16 (bf16) conversions from float32, with
 * round-to-nearest-even, subnormals and overflow to ±Inf — what a hardware cast does.
 * Shared by the precision policy (emulated AMP) and the safetensors reader/writer.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 value → fp16 bit pattern (uint16). */
export function f32ToF16Bits(value: number): number {
  f32[0] = value;
  return f32BitsToF16Bits(u32[0]);
}

/** float32 bit pattern (uint32) → fp16 bit pattern, round to nearest even. */
function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf stays Inf, NaN stays (quiet) NaN
  const e = exp - 127 + 15; // rebiased exponent
  if (e >= 0x1f) return sign | 0x7c00; // beyond 65504 + half an ulp: overflow
  if (e <= 0) {
    // fp16 subnormal m·2^-24: shift the full 24-bit significand down, round to nearest even.
    if (e < -10) return sign; // below 2^-25: rounds to ±0
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half; // a carry into bit 10 is exactly the smallest normal
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // carry may reach 0x7c00 = Inf: correct
  return sign | h;
}

let f16Table: Float32Array | null = null;

/** fp16 bit pattern → float32 value (exact). */
export function f16BitsToF32(bits: number): number {
  return f16DecodeTable()[bits & 0xffff];
}

function decodeF16Slow(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function f16DecodeTable(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = decodeF16Slow(h);
  }
  return f16Table;
}

/** float32 value → bf16 bit pattern (upper 16 bits of float32, rounded to nearest even). */
export function f32ToBf16Bits(value: number): number {
  f32[0] = value;
  return f32BitsToBf16Bits(u32[0]);
}

function f32BitsToBf16Bits(x: number): number {
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff; // keep NaN a NaN
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** bf16 bit pattern → float32 value (exact). */
export function bf16BitsToF32(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0];
}

/** The float32 bit patterns of `src` (a view when it already is a Float32Array). */
function float32Bits(src: ArrayLike<number>): Uint32Array {
  const f = src instanceof Float32Array ? src : Float32Array.from(src);
  return new Uint32Array(f.buffer, f.byteOffset, f.length);
}

/** Rounds every value to the nearest fp16 value (in float32 storage). Returns a new array. */
export function roundToF16(src: ArrayLike<number>): Float32Array {
  const table = f16DecodeTable();
  const bits = float32Bits(src);
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[f32BitsToF16Bits(bits[i])];
  return out;
}

/** Rounds every value to the nearest bf16 value (in float32 storage). Returns a new array. */
export function roundToBf16(src: ArrayLike<number>): Float32Array {
  const bits = float32Bits(src);
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = f32BitsToBf16Bits(bits[i]) << 16;
  return out;
}

export const FP16_MAX = 65504;
