/**
 * Seeded pseudo-random numbers for everything in this package that must be reproducible
 * (augmentation, sampling, instruction templates, the synthetic set). Plain `Math.random`
 * is never used: the same seed must give the same batches, images and texts on every machine.
 *
 * Generator: mulberry32 (32-bit state, period 2^32). Small and fast; its quality is ample for
 * shuffling and augmentation, and it is easy to reimplement bit-exactly in any language.
 */
export class Prng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Prng: seed must be a finite number, got ${seed}`);
    // Mix the seed once so that nearby seeds (0, 1, 2…) start far apart.
    this.state = hashSeed(seed);
  }

  /**
   * A generator whose mulberry32 state is `state` as given, without the seed mixing of the
   * constructor: the plain mulberry32(seed) sequence that other implementations produce (the
   * benches' reference case files use it).
   */
  static fromState(state: number): Prng {
    if (!Number.isFinite(state)) throw new RangeError(`Prng.fromState: state must be a finite number, got ${state}`);
    const p = new Prng(0);
    p.state = state | 0;
    return p;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Prng.pick: empty array');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Standard normal (Marsaglia polar method; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u: number;
    let v: number;
    let q: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    this.spare = v * f;
    return u * f;
  }

  /** In-place Fisher–Yates shuffle; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** An independent child generator (for per-modality or per-sample streams). */
  fork(): Prng {
    return new Prng(this.nextUint32());
  }
}

/** Deterministic 32-bit hash of a seed plus optional stream ids (splitmix-style finaliser). */
export function hashSeed(seed: number, ...streams: number[]): number {
  let h = Math.floor(seed) >>> 0;
  // Seeds above 2^32 keep their high bits.
  h ^= Math.floor(seed / 4294967296) >>> 0;
  for (const s of [0x9e3779b9, ...streams]) {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ (Math.floor(s) >>> 0);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A generator for stream `ids` derived from `seed` (e.g. seed, epoch, sample index). */
export function prngFor(seed: number, ...ids: number[]): Prng {
  return new Prng(hashSeed(seed, ...ids));
}
