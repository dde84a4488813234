/**
 * Evaluation sampling: every index exactly once, in order, in batches (the last one may be
 * short unless `dropLast`). Finite, unlike the training sampler.
 */
export interface SequentialSamplerOptions {
  /** Dataset size, or the explicit indices to visit (e.g. one modality's samples). */
  size?: number;
  indices?: readonly number[];
  batchSize?: number;
  dropLast?: boolean;
}

export class SequentialSampler implements Iterable<number[]> {
  readonly indices: readonly number[];
  readonly batchSize: number;
  readonly dropLast: boolean;

  constructor(opts: SequentialSamplerOptions) {
    if ((opts.size === undefined) === (opts.indices === undefined)) throw new RangeError('SequentialSampler: give exactly one of size or indices');
    if (opts.size !== undefined && !(Number.isInteger(opts.size) && opts.size >= 0)) throw new RangeError(`SequentialSampler: size must be a non-negative integer, got ${opts.size}`);
    this.indices = opts.indices ?? Array.from({ length: opts.size as number }, (_, i) => i);
    this.batchSize = opts.batchSize ?? 1;
    if (!(Number.isInteger(this.batchSize) && this.batchSize > 0)) throw new RangeError(`SequentialSampler: batchSize must be a positive integer, got ${this.batchSize}`);
    this.dropLast = opts.dropLast ?? false;
  }

  /** Number of batches. */
  get length(): number {
    const n = this.indices.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    for (let b = 0; b < this.length; b++) yield this.indices.slice(b * this.batchSize, (b + 1) * this.batchSize);
  }
}
