/**
 * Seeded pseudo-random generator: xoshiro128** seeded through splitmix32.
 *
 * Why our own generator: tfjs's random ops depend on the backend (cpu and wasm give different
 * streams) and have no exact resume. Drawing numbers in JS and uploading them makes
 * initialisation and dropout masks identical on every backend for the same seed.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** Second normal of the last Box–Muller pair, kept so no draw is wasted. */
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number, got ${seed}`);
    this.reseed(seed);
  }

  /** Resets the stream as if freshly constructed with `seed`. */
  reseed(seed: number): void {
    // splitmix32 spreads nearby seeds (0, 1, 2 …) into unrelated xoshiro states.
    let x = (Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // all-zero state is a fixed point
    this.spareNormal = null;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal draw (Box–Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log never sees 0
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** `n` uniform values in [low, high). */
  fillUniform(n: number, low = 0, high = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = low + (high - low) * this.uniform();
    return out;
  }

  /** `n` normal values with the given mean and standard deviation. */
  fillNormal(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** `n` Bernoulli(p) draws as 0/1. */
  fillBernoulli(n: number, p: number): Float32Array {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Rng.fillBernoulli: p must be in [0, 1], got ${p}`);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform() < p ? 1 : 0;
    return out;
  }

  /**
   * An independent generator derived from this one's current state and `stream`, without
   * advancing this one, so sub-systems (init vs dropout) do not shift each other's draws.
   */
  fork(stream: string | number): Rng {
    const key = typeof stream === 'number' ? stream : hashString(stream);
    const child = new Rng(0);
    child.setState([this.s0 ^ key, this.s1, this.s2 ^ Math.imul(key, 0x9e3779b9), this.s3]);
    // A few draws decorrelate the child from the parent state it was derived from.
    for (let i = 0; i < 8; i++) child.nextUint32();
    return child;
  }

  /** Exact generator state for checkpoints. */
  getState(): RngState {
    return { s: [this.s0, this.s1, this.s2, this.s3], spareNormal: this.spareNormal };
  }

  setState(state: RngState | readonly [number, number, number, number]): void {
    const s = Array.isArray(state) ? state : (state as RngState).s;
    if (s.length !== 4 || s.some((v) => !Number.isInteger(v))) throw new TypeError('Rng.setState: expected four 32-bit integers');
    [this.s0, this.s1, this.s2, this.s3] = s.map((v) => v >>> 0);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spareNormal = Array.isArray(state) ? null : ((state as RngState).spareNormal ?? null);
  }
}

export interface RngState {
  s: number[];
  spareNormal: number | null;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** FNV-1a, enough to turn a stream label into a 32-bit key. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
