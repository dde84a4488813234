// Each head must be able to learn: trained on ONE synthetic 64×64 "image" (a fixed random
// 2-level feature pyramid, strides 4 and 8, three boxes of three classes) on the wasm backend
// — the project's CPU default — it reaches AP50 ≥ 0.9 (all-point VOC AP from
// @babelrs/metrics-hmap, rotated IoU for the OBB head) and leaks no tensors.
import { initBackend } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GflHead } from './gfl-head.js';
import { RotatedFcosHead } from './rotated-fcos-head.js';
import { overfit, randomPyramid } from './testing/overfit-harness.js';

beforeAll(async () => {
  expect((await initBackend({ prefer: 'wasm' })).backend).toBe('wasm');
});

const STRIDES = [4, 8];

describe('overfitting one synthetic image on wasm', () => {
  it('GflHead reaches AP50 ≥ 0.9, the loss falls and numTensors stays flat', () => {
    const levels = randomPyramid(64, STRIDES, 16, 1);
    const head = new GflHead({ numClasses: 3, inChannels: 16, strides: STRIDES, stackedConvs: 2, normGroups: 4, regMax: 8, anchorScale: 4, seed: 1 });
    const target = { boxes: Float32Array.from([8, 10, 30, 24, 36, 30, 56, 58, 14, 40, 28, 52]), labels: Int32Array.from([0, 1, 2]) };
    const r = overfit(head, levels, target, [64, 64], 80, 1e-2);
    console.log(`GflHead: loss ${r.losses[0].toFixed(3)} → ${r.losses.at(-1)!.toFixed(3)}, AP50 ${r.ap50.toFixed(3)}`);
    expect(r.ap50).toBeGreaterThanOrEqual(0.9);
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0] / 2);
    expect(new Set(r.tensorCounts).size).toBe(1);
    head.dispose();
    levels.forEach((l) => l.features.dispose());
  });

  it('RotatedFcosHead reaches AP50 ≥ 0.9 (rotated IoU), the loss falls and numTensors stays flat', () => {
    const levels = randomPyramid(64, STRIDES, 16, 2);
    const head = new RotatedFcosHead({ numClasses: 3, inChannels: 16, strides: STRIDES, stackedConvs: 2, normGroups: 4, seed: 1 });
    // le90 boxes; the second is near the −π/2 end of the range
    const target = { boxes: Float32Array.from([20, 18, 26, 12, 0.5, 44, 44, 30, 12, -1.4, 18, 48, 18, 10, 1.2]), labels: Int32Array.from([0, 1, 2]) };
    const r = overfit(head, levels, target, [64, 64], 80, 1e-2);
    console.log(`RotatedFcosHead: loss ${r.losses[0].toFixed(3)} → ${r.losses.at(-1)!.toFixed(3)}, AP50 ${r.ap50.toFixed(3)}`);
    expect(r.ap50).toBeGreaterThanOrEqual(0.9);
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0] / 2);
    expect(new Set(r.tensorCounts).size).toBe(1);
    head.dispose();
    levels.forEach((l) => l.features.dispose());
  });
});
