import { describe, expect, it } from 'vitest';
import type { Modality } from '../sample.js';
import { ModalityBalancedSampler } from './balanced-sampler.js';
import { SequentialSampler } from './sequential-sampler.js';

// 7 SAR, 3 RGB, 5 IR, interleaved.
const MODS: Modality[] = ['sar', 'rgb', 'ir', 'sar', 'sar', 'ir', 'rgb', 'sar', 'ir', 'sar', 'sar', 'ir', 'rgb', 'ir', 'sar'];

function take<T>(it: Iterable<T>, n: number): T[] {
  const out: T[] = [];
  for (const x of it) {
    if (out.length === n) break;
    out.push(x);
  }
  return out;
}

describe('ModalityBalancedSampler', () => {
  it('keeps SAR:RGB:IR = 2:1:1 exactly in every batch of 4', () => {
    const s = new ModalityBalancedSampler({ modalities: MODS, seed: 1 });
    for (const batch of take(s, 50)) {
      expect(batch.map((i) => MODS[i])).toEqual(['sar', 'sar', 'rgb', 'ir']);
    }
  });
  it('scales the ratios to the batch size and honours custom ratios', () => {
    const s = new ModalityBalancedSampler({ modalities: MODS, ratios: { sar: 1, rgb: 2, ir: 0 }, batchSize: 6, seed: 2 });
    expect(s.perBatch).toEqual({ sar: 2, rgb: 4, ir: 0 });
    for (const batch of take(s, 20)) {
      const counts = { sar: 0, rgb: 0, ir: 0 };
      batch.forEach((i) => counts[MODS[i]]++);
      expect(counts).toEqual({ sar: 2, rgb: 4, ir: 0 });
    }
  });
  it('visits every sample of a modality once per epoch, reshuffling between epochs', () => {
    const s = new ModalityBalancedSampler({ modalities: MODS, seed: 3 });
    const rgbIdx = MODS.flatMap((m, i) => (m === 'rgb' ? [i] : []));
    const rgbStream = take(s, 30).map((b) => b[2]);
    const epochs: number[][] = [];
    for (let e = 0; e < 10; e++) epochs.push(rgbStream.slice(e * 3, e * 3 + 3));
    for (const ep of epochs) expect([...ep].sort((a, b) => a - b)).toEqual(rgbIdx);
    expect(new Set(epochs.map((e) => e.join(','))).size).toBeGreaterThan(1);
    expect(s.epochOf('rgb', 9)).toBe(3);
  });
  it('is reproducible by seed, differs between seeds, and resumes at any batch', () => {
    const a = take(new ModalityBalancedSampler({ modalities: MODS, seed: 7 }), 25);
    const b = take(new ModalityBalancedSampler({ modalities: MODS, seed: 7 }), 25);
    const c = take(new ModalityBalancedSampler({ modalities: MODS, seed: 8 }), 25);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const resumed = take(new ModalityBalancedSampler({ modalities: MODS, seed: 7 }).batches(10), 15);
    expect(resumed).toEqual(a.slice(10));
  });
  it('rejects impossible configurations with clear messages', () => {
    expect(() => new ModalityBalancedSampler({ modalities: MODS, batchSize: 6 })).toThrow(/multiple of the ratio sum 4 \(2:1:1\)/);
    expect(() => new ModalityBalancedSampler({ modalities: ['sar', 'rgb'] })).toThrow(/asks for ir samples but the dataset has none/);
    expect(() => new ModalityBalancedSampler({ modalities: MODS, ratios: { sar: 1.5 } })).toThrow(/non-negative integer/);
    // A config typo must not silently drop a modality (here: no SAR at all).
    expect(() => new ModalityBalancedSampler({ modalities: MODS, ratios: { SAR: 2, rgb: 1, ir: 1 } as never })).toThrow("ratios has unknown modality 'SAR' (expected sar, rgb, ir)");
  });
});

describe('SequentialSampler', () => {
  it('yields every index once, in order, with a short last batch', () => {
    expect([...new SequentialSampler({ size: 7, batchSize: 3 })]).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect([...new SequentialSampler({ size: 7, batchSize: 3, dropLast: true })]).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect([...new SequentialSampler({ indices: [4, 9, 2], batchSize: 2 })]).toEqual([[4, 9], [2]]);
    expect(new SequentialSampler({ size: 0, batchSize: 2 }).length).toBe(0);
  });
});
