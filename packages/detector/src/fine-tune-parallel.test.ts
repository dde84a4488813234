import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@babelrs/core';
import { loadSoiDet, type DetectionSample } from '@babelrs/datasets';
import { DynamicLossScaler } from '@babelrs/core';
import { buildPipeline, hashSeed, ModalityBalancedSampler } from '@babelrs/datasets';
import { collateBatch } from './batch.js';
import { loadItems } from './detection-data.js';
import { fineTune, scaledBatchLoss, type FineTuneState } from './fine-tune.js';
import { makeShard, planShards } from './fine-tune-parallel.js';
import { trainPipeline } from './pipelines.js';
import { MultiModalDetector } from './multi-modal-detector.js';
import { miniSoiFixture } from './testing/mini-soi-fixture.js';
import { microConfig } from './testing/micro-config.js';

let samples: DetectionSample[];
beforeAll(async () => {
  expect((await initBackend({ prefer: 'wasm' })).backend).toBe('wasm');
  const root = await miniSoiFixture({ imageSize: 48, objectScale: 2, difficulty: 0, objects: [1, 2] });
  samples = (await loadSoiDet(root, { splits: ['train'] })).samples;
});

const g = (modality: 'sar' | 'rgb' | 'ir', start: number, count: number) => ({ modality, start, count });

describe('planShards', () => {
  it('2:1:1 over 2 workers: whole modalities, SAR | RGB + IR (exact)', () => {
    const { plan, exact } = planShards([g('sar', 0, 2), g('rgb', 2, 1), g('ir', 3, 1)], 2);
    expect(exact).toBe(true);
    expect(plan).toEqual([[{ modality: 'sar', start: 0, count: 2, total: 2 }], [{ modality: 'rgb', start: 2, count: 1, total: 1 }, { modality: 'ir', start: 3, count: 1, total: 1 }]]);
  });

  it('1:1:1 × 2 over 2 workers: no even modality split, so each modality is halved (3 images each)', () => {
    const { plan, exact } = planShards([g('sar', 0, 2), g('rgb', 2, 2), g('ir', 4, 2)], 2);
    expect(exact).toBe(false);
    expect(plan[0].map((p) => [p.modality, p.start, p.count])).toEqual([['sar', 0, 1], ['rgb', 2, 1], ['ir', 4, 1]]);
    expect(plan[1].map((p) => [p.modality, p.start, p.count])).toEqual([['sar', 1, 1], ['rgb', 3, 1], ['ir', 5, 1]]);
  });

  it('odd counts rotate the remainder so shard sizes differ by at most one', () => {
    const { plan } = planShards([g('sar', 0, 3), g('rgb', 3, 1), g('ir', 4, 3)], 2); // 7 images, no even split
    expect(plan.map((p) => p.reduce((a, x) => a + x.count, 0)).sort()).toEqual([3, 4]);
    expect(() => planShards([g('sar', 0, 1)], 2)).toThrow(/batch of 1 images cannot feed 2 workers/);
  });
});

describe('fineTune with workers', () => {
  it('2 workers = 1 worker on the same global batch (2:1:1, split by modality): losses and weights within 1e-5; getState/onStep work', async () => {
    const cfg = microConfig({ seed: 4 });
    const opts = { data: samples, steps: 3, batchSize: 4, optimizer: { lr: 1e-3 }, schedule: { warmupSteps: 1 }, seed: 3, augment: false } as const;
    const one = new MultiModalDetector(cfg);
    const a = await fineTune({ ...opts, detector: one });
    const two = new MultiModalDetector(cfg);
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    let state: FineTuneState | null = null;
    const b = await fineTune({
      ...opts,
      detector: two,
      workers: 2,
      onStep: ({ step, getState }) => {
        seen.push(step);
        if (step === 2) state = getState();
      },
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(b.history).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      const [x, y] = [a.history[i], b.history[i]];
      expect(Object.keys(y.losses!).sort()).toEqual(Object.keys(x.losses!).sort());
      for (const k of Object.keys(x.losses!)) expect(Math.abs(y.losses![k] - x.losses![k])).toBeLessThan(1e-5 * Math.max(1, Math.abs(x.losses![k])));
      expect(y.gradNorm!).toBeCloseTo(x.gradNorm!, 4);
      expect(y.lr).toBeCloseTo(x.lr, 12);
      expect(y.samples).toBe(4);
    }
    // the caller's detector ends with the workers' weights: the single-worker ones
    const wa = one.stateDict();
    let maxDiff = 0;
    for (const [k, v] of Object.entries(two.stateDict())) {
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(v, wa[k]))).dataSync()[0]);
      maxDiff = Math.max(maxDiff, d);
    }
    expect(maxDiff).toBeLessThan(1e-5);
    expect(maxDiff).toBeGreaterThanOrEqual(0);
    // a training run moved the weights (the comparison is not trivially equal)
    const fresh = new MultiModalDetector(cfg);
    const moved = tf.tidy(() => tf.max(tf.abs(tf.sub(fresh.stateDict()['backbone.blocks.0.attn.qkv.weight'], wa['backbone.blocks.0.attn.qkv.weight']))).dataSync()[0]);
    expect(moved).toBeGreaterThan(1e-4);
    fresh.dispose();
    // optimizer state of a checkpoint step and at the end: the same moments as the single-thread run
    const s = state as FineTuneState | null;
    expect(s!.step).toBe(2);
    expect(b.state.step).toBe(3);
    expect(Object.keys(b.state.optimizer.tensors).sort()).toEqual(Object.keys(a.state.optimizer.tensors).sort());
    for (const [k, t] of Object.entries(a.state.optimizer.tensors)) {
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(t, b.state.optimizer.tensors[k]))).dataSync()[0]);
      expect(d).toBeLessThan(1e-5);
    }
    expect(b.state.optimizer.meta.stepCount).toBe(a.state.optimizer.meta.stepCount);
    tf.dispose([...Object.values(s!.optimizer.tensors), ...Object.values(b.state.optimizer.tensors)]);
    // no tensors left behind in this thread (beyond `two`'s own variables, which existed before)
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(a.state.optimizer.tensors));
    for (const d of [one, two]) d.dispose();
  }, 60_000);

  it('1:1:1 (split by image): the loss is the share-weighted sum of per-shard losses (by hand); getState off-sync throws; bad counts rejected', async () => {
    const cfg = microConfig({ seed: 6 });
    const opts = { data: samples, steps: 2, batchSize: 6, ratios: { sar: 1, rgb: 1, ir: 1 }, optimizer: { lr: 1e-3 }, seed: 1, augment: false } as const;
    const one = new MultiModalDetector(cfg);
    const a = await fineTune({ ...opts, detector: one });
    const two = new MultiModalDetector(cfg);
    let err = '';
    let synced: FineTuneState | undefined;
    let weightsAt2: tf.Tensor | undefined;
    const b = await fineTune({
      ...opts,
      detector: two,
      workers: 2,
      workerSyncEvery: 0,
      onStep: async ({ step, getState, syncState }) => {
        if (step === 1) {
          try {
            getState();
          } catch (e) {
            err = (e as Error).message;
          }
        } else {
          // what a trainer does on Ctrl-C at an unsynced step: sync, then snapshot
          await syncState();
          synced = getState();
          weightsAt2 = two.stateDict()['backbone.patch_embed.proj.weight'].clone();
        }
      },
    });
    expect(err).toMatch(/getState\(\) is available on synced steps only/);
    // the synced state of step 2 is the run's final state; the detector held step 2's weights
    expect(synced?.step).toBe(2);
    expect(synced?.optimizer.meta).toEqual(b.state.optimizer.meta);
    expect(tf.max(tf.abs(tf.sub(weightsAt2!, two.stateDict()['backbone.patch_embed.proj.weight']))).dataSync()[0]).toBe(0);
    tf.dispose([weightsAt2!, ...Object.values(synced!.optimizer.tensors)]);
    // step 1 by hand, in this thread: the same global batch, cut into the same shards; the loss
    // is Σ over shards of Σ_m (shard's share of modality m) · L_m(shard)
    const sampler = new ModalityBalancedSampler({ modalities: samples.map((x) => x.modality), ratios: opts.ratios, batchSize: 6, seed: opts.seed });
    const pipeline = buildPipeline(trainPipeline(cfg, { augment: false }));
    const idx = sampler.batchAt(0);
    const fresh = new MultiModalDetector(cfg);
    const batch = collateBatch(await loadItems(samples, idx, pipeline, idx.map((_, slot) => hashSeed(opts.seed, 0, slot))), cfg.imageSize, { spaces: fresh.labelSpaces, boxTypes: fresh.boxTypes });
    const { plan, exact } = planShards(batch.groups, 2);
    expect(exact).toBe(false);
    fresh.train();
    const scaler = new DynamicLossScaler({ enabled: false });
    const want = plan.reduce((sum, p) => {
      const shard = makeShard(batch, p, 0);
      expect(shard.groups.map((x) => x.count)).toEqual([1, 1, 1]);
      return sum + tf.tidy(() => scaledBatchLoss(fresh, shard, 'fp32', scaler, shard.modalityWeights).losses.total);
    }, 0);
    expect(Math.abs(b.history[0].loss - want)).toBeLessThan(1e-5 * want);
    // ...which is not the single-thread loss of the whole batch (normalisers per shard)
    expect(Math.abs(a.history[0].loss - want)).toBeGreaterThan(1e-4);
    fresh.dispose();
    tf.dispose([...Object.values(a.state.optimizer.tensors), ...Object.values(b.state.optimizer.tensors)]);
    await expect(fineTune({ ...opts, detector: two, workers: 0 })).rejects.toThrow(/workers must be an integer ≥ 1/);
    one.dispose();
    two.dispose();
  }, 60_000);
});
