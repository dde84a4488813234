/**
 * Modality-balanced batch sampling for joint multi-modal fine-tuning. Every batch holds a fixed
 * number of samples per modality (SOI-Det: SAR:RGB:IR = 2:1:1 in a batch of 4), so the per-task
 * losses summed in one step always see every modality in the same proportion.
 *
 * Each modality is an independent stream of epochs: epoch e of modality m is a permutation of
 * that modality's samples, shuffled by a generator derived from (seed, m, e). A small modality
 * simply cycles through more epochs. Batch b is a pure function of (seed, b), so a run resumed
 * at batch b gets exactly the batches it would have seen (`batches(b)`).
 */
import { MODALITIES, type Modality } from '../sample.js';
import { prngFor } from './prng.js';

export type ModalityRatios = Partial<Record<Modality, number>>;

/** SOI-Det joint training: 2 SAR, 1 RGB, 1 IR per batch of 4. */
export const SOI_DET_MODALITY_RATIOS: Readonly<Record<Modality, number>> = { sar: 2, rgb: 1, ir: 1 };

export interface BalancedSamplerOptions {
  /** The modality of each dataset index (e.g. `samples.map((s) => s.modality)`). */
  modalities: readonly Modality[];
  /** Relative share of each modality per batch (non-negative integers; default 2:1:1). */
  ratios?: ModalityRatios;
  /** Batch size; a multiple of the ratio sum (default: the ratio sum). */
  batchSize?: number;
  seed?: number;
}

export class ModalityBalancedSampler implements Iterable<number[]> {
  readonly batchSize: number;
  /** Samples of each modality per batch. */
  readonly perBatch: Readonly<Record<Modality, number>>;
  private readonly pools: Record<Modality, number[]>;
  private readonly seed: number;
  private readonly cache = new Map<string, number[]>();

  constructor(opts: BalancedSamplerOptions) {
    // A misspelt key (`SAR: 2` from a config file) would silently drop that modality from training.
    for (const key of Object.keys(opts.ratios ?? {})) {
      if (!MODALITIES.includes(key as Modality)) throw new RangeError(`ModalityBalancedSampler: ratios has unknown modality '${key}' (expected ${MODALITIES.join(', ')})`);
    }
    const ratios = { sar: 0, rgb: 0, ir: 0, ...(opts.ratios ?? SOI_DET_MODALITY_RATIOS) };
    for (const m of MODALITIES) {
      if (!(Number.isInteger(ratios[m]) && ratios[m] >= 0)) throw new RangeError(`ModalityBalancedSampler: ratio for ${m} must be a non-negative integer, got ${ratios[m]}`);
    }
    const sum = ratios.sar + ratios.rgb + ratios.ir;
    if (sum === 0) throw new RangeError('ModalityBalancedSampler: all ratios are 0');
    this.batchSize = opts.batchSize ?? sum;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0 || this.batchSize % sum !== 0) {
      throw new RangeError(`ModalityBalancedSampler: batchSize ${this.batchSize} must be a positive multiple of the ratio sum ${sum} (${ratios.sar}:${ratios.rgb}:${ratios.ir})`);
    }
    const scale = this.batchSize / sum;
    this.perBatch = { sar: ratios.sar * scale, rgb: ratios.rgb * scale, ir: ratios.ir * scale };
    this.pools = { sar: [], rgb: [], ir: [] };
    opts.modalities.forEach((m, i) => {
      if (!this.pools[m]) throw new RangeError(`ModalityBalancedSampler: index ${i} has unknown modality '${m}'`);
      this.pools[m].push(i);
    });
    for (const m of MODALITIES) {
      if (this.perBatch[m] > 0 && this.pools[m].length === 0) throw new RangeError(`ModalityBalancedSampler: ratio asks for ${m} samples but the dataset has none`);
    }
    this.seed = opts.seed ?? 0;
  }

  /** Batch number `b` (0-based): dataset indices, grouped by modality in the order sar, rgb, ir. */
  batchAt(b: number): number[] {
    if (!Number.isInteger(b) || b < 0) throw new RangeError(`ModalityBalancedSampler.batchAt: batch number must be a non-negative integer, got ${b}`);
    const out: number[] = [];
    MODALITIES.forEach((m, mi) => {
      const k = this.perBatch[m];
      const n = this.pools[m].length;
      for (let j = 0; j < k; j++) {
        const pos = b * k + j;
        out.push(this.epochOrder(m, mi, Math.floor(pos / n))[pos % n]);
      }
    });
    return out;
  }

  /** Which epoch of modality `m` batch `b` starts in (how many full passes came before). */
  epochOf(m: Modality, b: number): number {
    return this.perBatch[m] === 0 ? 0 : Math.floor((b * this.perBatch[m]) / this.pools[m].length);
  }

  /** Infinite stream of batches starting at batch `start`. */
  *batches(start = 0): Generator<number[], never> {
    for (let b = start; ; b++) yield this.batchAt(b);
  }

  [Symbol.iterator](): Iterator<number[]> {
    return this.batches(0);
  }

  private epochOrder(m: Modality, mi: number, epoch: number): number[] {
    const key = `${m}:${epoch}`;
    let order = this.cache.get(key);
    if (!order) {
      order = prngFor(this.seed, mi, epoch).shuffle([...this.pools[m]]);
      // Keep only recent epochs: batches advance monotonically in practice.
      if (this.cache.size > 12) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, order);
    }
    return order;
  }
}
