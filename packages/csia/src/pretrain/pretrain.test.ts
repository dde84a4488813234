// The pretraining loop on a tiny model: telemetry, no tensor leaks across steps, freezing,
// emulated fp16 with loss scaling, and an exact resume from getState().
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { miniSoiExamples } from '../data/mini-soi-examples.js';
import { trainBpeTokenizer } from '../tokenizer/train-bpe.js';
import { testVlmConfig } from '../vlm/test-helpers.js';
import { VisionLanguageModel } from '../vlm/vlm.js';
import { pretrain, type PretrainStepEvent } from './pretrain.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

const data = miniSoiExamples({ range: [0, 3], imageSize: 48, tasks: ['counting', 'presence'] });
// the test ViT is laid out for 32 px: crop the 48-px renders to their top-left 32×32
const images = data.images.map((im) => {
  const px = new Float32Array(3 * 32 * 32);
  for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) px.set(im.pixels.subarray(c * 48 * 48 + y * 48, c * 48 * 48 + y * 48 + 32), c * 1024 + y * 32);
  return { ...im, pixels: px, size: 32, objects: [] };
});
const tok = trainBpeTokenizer(data.examples.flatMap((e) => [e.instruction, e.response]), { maxMerges: 150 });
const newVlm = (seed = 0) => new VisionLanguageModel(testVlmConfig(tok.vocabSize, tok.tokenId('<IMG_CONTEXT>')), { seed });
const base = { tokenizer: tok, images, examples: data.examples, batchSize: 6, lr: 3e-3, warmupSteps: 1, seed: 3 };

function snapshot(vlm: VisionLanguageModel, prefix: string): Map<string, Float32Array> {
  return new Map(vlm.namedParameters().filter(([n]) => n.startsWith(prefix)).map(([n, v]) => [n, v.dataSync().slice() as Float32Array]));
}

function maxChange(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let m = 0;
  for (const [k, x] of a) {
    const y = b.get(k)!;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  }
  return m;
}

describe('pretrain', () => {
  it('reports telemetry per step, lowers the loss on a fixed set and leaks no tensors', async () => {
    const vlm = newVlm();
    const counts: number[] = [];
    const res = await pretrain({ ...base, vlm, steps: 8, onStep: () => void counts.push(tf.memory().numTensors) });
    expect(res.steps).toBe(8);
    expect(res.history).toHaveLength(8);
    const e: PretrainStepEvent = res.history[0];
    for (const k of ['loss', 'gradNorm', 'tokensPerSec', 'lr', 'stepMs'] as const) expect(Number.isFinite(e[k])).toBe(true);
    expect(res.history.map((h) => h.alpha)).toEqual([0, 0.25, 0.5, 0.75, 1, 1, 1, 1]); // LVSA τ = 4, α(t) from the step
    expect(e.modalities.sar + e.modalities.rgb + e.modalities.ir).toBe(6);
    expect(Math.max(e.modalities.sar, e.modalities.rgb, e.modalities.ir)).toBe(2); // batches mix modalities evenly
    expect(res.history[7].loss).toBeLessThan(res.history[0].loss);
    expect(new Set(counts.slice(1)).size).toBe(1); // stable from the 2nd step on (optimizer slots exist after step 1)
    expect(res.vit).toBe(vlm.vit);
    const before = tf.memory().numTensors;
    res.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
    vlm.dispose();
  });

  it('freezes parts by config', async () => {
    const vlm = newVlm(1);
    const vit0 = snapshot(vlm, 'vision_model.');
    const lm0 = snapshot(vlm, 'language_model.');
    await pretrain({ ...base, vlm, steps: 2, freeze: { vision: true } });
    expect(maxChange(vit0, snapshot(vlm, 'vision_model.'))).toBe(0);
    expect(maxChange(lm0, snapshot(vlm, 'language_model.'))).toBeGreaterThan(0);
    await expect(pretrain({ ...base, vlm, steps: 1, freeze: { vision: true, projector: true, language: true } })).rejects.toThrow(/nothing to train/);
    vlm.dispose();
  });

  it('fp16 (emulated) trains with dynamic loss scaling', async () => {
    const vlm = newVlm(2);
    const res = await pretrain({ ...base, vlm, steps: 2, precision: 'fp16', lossScaler: { initScale: 1024 } });
    expect(res.history[0].lossScale).toBe(1024);
    expect(res.history.every((h) => Number.isFinite(h.loss))).toBe(true);
    vlm.dispose();
  });

  it('resuming from getState() continues exactly like an uninterrupted run', async () => {
    const a = newVlm(5);
    await pretrain({ ...base, vlm: a, steps: 4 });
    const b = newVlm(5);
    let done = 0;
    const first = await pretrain({ ...base, vlm: b, steps: 4, onStep: () => void done++, shouldStop: () => done >= 2 });
    expect(first.stopped).toBe(true);
    expect(first.steps).toBe(2);
    const state = first.getState();
    const second = await pretrain({ ...base, vlm: b, steps: 4, initialState: state });
    tf.dispose(Object.values(state.optimizer.tensors));
    expect(second.steps).toBe(4);
    expect(second.history.map((h) => h.step)).toEqual([3, 4]);
    expect(maxChange(snapshot(a, ''), snapshot(b, ''))).toBeLessThan(1e-6);
    a.dispose();
    b.dispose();
  });
});
