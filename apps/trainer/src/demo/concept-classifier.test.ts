import { beforeAll, describe, expect, it } from 'vitest';
import { Telemetry, initBackend, tf, type StepEvent } from '@babelrs/core';
import type { Modality } from '@babelrs/datasets';
import { ConceptClassifier } from './concept-classifier.js';
import type { CropDataset } from './crop-dataset.js';
import { softmaxCrossEntropy, trainConceptClassifier } from './train-loop.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const S = 4;
const D = 3 * S * S;

/** Crops of 3 concepts told apart by brightness, in every modality (a learnable toy task). */
function toyCrops(perModality = 12, scale = 1): CropDataset {
  const items: CropDataset['items'] = [];
  const pixels: number[] = [];
  for (const modality of ['sar', 'rgb', 'ir'] as Modality[]) {
    for (let i = 0; i < perModality; i++) {
      const concept = i % 3;
      items.push({ sampleIndex: items.length, boxIndex: 0, modality, label: 0, concept });
      for (let k = 0; k < D; k++) pixels.push(scale * (concept - 1 + 0.1 * Math.sin(7 * i + k)));
    }
  }
  return { size: S, channels: 3, pixels: Float32Array.from(pixels), items };
}

describe('ConceptClassifier', () => {
  it('maps [B, 3, S, S] crops to [B, V] logits and probabilities that sum to 1', () => {
    const model = new ConceptClassifier({ inFeatures: D, numConcepts: 5, hidden: 8, embed: 6 });
    const x = tf.randomNormal([7, 3, S, S], 0, 1, 'float32', 1);
    const logits = model.forward(x);
    const probs = model.predictProba(x);
    expect(logits.shape).toEqual([7, 5]);
    const sums = Array.from(tf.tidy(() => probs.sum(1)).dataSync());
    sums.forEach((s) => expect(s).toBeCloseTo(1, 5));
    tf.dispose([x, logits, probs]);
    model.dispose();
  });

  it('names its parameters encoder.* and head.*, with the shapes of the layer sizes', () => {
    const model = new ConceptClassifier({ inFeatures: D, numConcepts: 5, hidden: 8, embed: 6 });
    const shapes = Object.fromEntries(model.namedParameters().map(([n, v]) => [n, v.shape]));
    expect(shapes).toEqual({
      'encoder.fc1.weight': [8, D],
      'encoder.fc1.bias': [8],
      'encoder.norm.weight': [8],
      'encoder.norm.bias': [8],
      'encoder.fc2.weight': [6, 8],
      'encoder.fc2.bias': [6],
      'head.weight': [5, 6],
      'head.bias': [5],
    });
    model.dispose();
  });

  it('initialises identically for the same seed and differently for another', () => {
    const w = (seed: number) => {
      const m = new ConceptClassifier({ inFeatures: D, numConcepts: 5, hidden: 8, embed: 6, seed });
      const data = Array.from(m.encoder.fc1.weight.dataSync());
      m.dispose();
      return data;
    };
    expect(w(3)).toEqual(w(3));
    expect(w(3)).not.toEqual(w(4));
  });

  it('rejects crops of the wrong size, naming the shape', () => {
    const model = new ConceptClassifier({ inFeatures: D, numConcepts: 5, hidden: 8, embed: 6 });
    const x = tf.zeros([2, 3, 5, 5]);
    expect(() => model.forward(x)).toThrow(/expected 48 values per crop, got input shape \[2,3,5,5\]/);
    x.dispose();
    model.dispose();
  });
});

describe('softmaxCrossEntropy', () => {
  it('equals −log softmax of the target (hand-computed)', () => {
    const logits = tf.tensor2d([
      [0, 0],
      [0, Math.log(3)],
    ]);
    const y = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const ce = Array.from(softmaxCrossEntropy(logits, y).dataSync());
    expect(ce[0]).toBeCloseTo(Math.log(2), 6);
    expect(ce[1]).toBeCloseTo(Math.log(4 / 3), 6);
    tf.dispose([logits, y]);
  });
});

describe('trainConceptClassifier', () => {
  it('learns the toy task without leaking tensors across steps, and emits one step event per step', () => {
    const model = new ConceptClassifier({ inFeatures: D, numConcepts: 3, hidden: 16, embed: 8, seed: 1 });
    const before = tf.memory().numTensors;
    const events: StepEvent[] = [];
    const telemetry = new Telemetry('t');
    telemetry.on('step', (e) => events.push(e));
    const r = trainConceptClassifier(model, toyCrops(), { steps: 40, batch: 8, lr: 1e-2, precision: 'fp32', telemetry });
    // Optimizer state exists from the first step on and is freed at the end.
    expect(new Set(r.liveTensors).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.finalLoss).toBeLessThan(r.firstLoss / 2);
    expect(events.length).toBe(40);
    expect(events[0]).toMatchObject({ type: 'step', step: 0, overflow: false, skipped: false, lossScale: 1, samples: 8 });
    expect(Object.keys(events[0].losses!).sort()).toEqual(['ir', 'rgb', 'sar']);
    // Warm-up (4 steps) then cosine: lr rises, then falls towards 0.
    expect(events[0].lr).toBeLessThan(events[4].lr);
    expect(events[39].lr).toBeLessThan(events[20].lr);
    model.dispose();
  });

  it('puts biases and norm weights in a no-decay group and matrices in the decay group', () => {
    const model = new ConceptClassifier({ inFeatures: D, numConcepts: 3, hidden: 8, embed: 4 });
    const r = trainConceptClassifier(model, toyCrops(4), { steps: 1, batch: 4, weightDecay: 0.05 });
    const decay = r.paramGroups.find((g) => g.weightDecay === 0.05)!.params;
    const noDecay = r.paramGroups.find((g) => g.weightDecay === 0)!.params;
    expect(decay.sort()).toEqual(['encoder.fc1.weight', 'encoder.fc2.weight', 'head.weight']);
    expect(noDecay).toContain('encoder.norm.weight');
    expect(noDecay).toContain('encoder.fc1.bias');
    model.dispose();
  });

  it('under fp16 skips steps whose activations overflow fp16 and halves the loss scale each time', () => {
    const model = new ConceptClassifier({ inFeatures: D, numConcepts: 3, hidden: 8, embed: 4 });
    const w0 = Array.from(model.head.weight.dataSync());
    // Inputs of ±1e6 push fc1's fp16 output past 65504 → Inf → NaN gradients.
    const r = trainConceptClassifier(model, toyCrops(4, 1e6), { steps: 3, batch: 4, precision: 'fp16' });
    expect(r.overflowSteps).toBe(3);
    expect(r.skippedSteps).toBe(3);
    expect(r.finalLossScale).toBe(2 ** 16 / 8);
    expect(Array.from(model.head.weight.dataSync())).toEqual(w0);
    model.dispose();
  });

  it('rejects a batch that is not a multiple of 4 (SAR:RGB:IR = 2:1:1)', () => {
    const model = new ConceptClassifier({ inFeatures: D, numConcepts: 3, hidden: 8, embed: 4 });
    expect(() => trainConceptClassifier(model, toyCrops(4), { steps: 1, batch: 6 })).toThrow(/batch must be a positive multiple of 4/);
    model.dispose();
  });
});
