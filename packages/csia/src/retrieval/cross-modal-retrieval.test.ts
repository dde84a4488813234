// The retrieval metric on constructed inputs whose answers are known: images made only of a
// concept's colour give identical features for the same concept in every modality (top-1 = 1);
// pooling equals the hand-computed mean of the tokens inside the box.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { ViT } from '@babelrs/vit-backbone';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Modality } from '@babelrs/datasets';
import { TEST_VIT } from '../vlm/test-helpers.js';
import { crossModalRetrieval, objectFeatures, type RetrievalImage } from './cross-modal-retrieval.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

const vit = new ViT(TEST_VIT, { seed: 3 });
const COLOURS: Record<string, number[]> = { ship: [1, -1, 0.5], car: [-1, 1, 0], bridge: [0.3, 0.3, -1], tank: [-0.5, -0.8, 1] };

function flat(concept: string, modality: Modality, colours = COLOURS): RetrievalImage {
  const px = new Float32Array(3 * 32 * 32);
  for (let c = 0; c < 3; c++) px.fill(colours[concept][c], c * 1024, (c + 1) * 1024);
  return { modality, pixels: px, size: 32, objects: [{ concept, hbb: [4, 4, 20, 20] }] };
}

describe('crossModalRetrieval', () => {
  it('scores 1 in all six directions when a concept looks the same in every modality', () => {
    const images = (['sar', 'rgb', 'ir'] as const).flatMap((m) => ['ship', 'car', 'bridge', 'tank'].map((c) => flat(c, m)));
    const r = crossModalRetrieval(vit, images);
    expect(r.directions.map((d) => `${d.query}→${d.gallery}`)).toEqual(['sar→rgb', 'sar→ir', 'rgb→sar', 'rgb→ir', 'ir→sar', 'ir→rgb']);
    for (const d of r.directions) {
      expect(d.top1).toBe(1);
      expect(d.n).toBe(4);
      expect(d.chance).toBe(0.25);
    }
    expect(r.objects).toEqual({ sar: 4, rgb: 4, ir: 4 });
  });

  it('drops when the modalities disagree (colours permuted in IR), only in directions involving IR', () => {
    const perm = { ship: COLOURS.car, car: COLOURS.bridge, bridge: COLOURS.tank, tank: COLOURS.ship };
    const images = [
      ...['ship', 'car', 'bridge', 'tank'].map((c) => flat(c, 'sar')),
      ...['ship', 'car', 'bridge', 'tank'].map((c) => flat(c, 'rgb')),
      ...['ship', 'car', 'bridge', 'tank'].map((c) => flat(c, 'ir', perm)),
    ];
    const r = crossModalRetrieval(vit, images);
    const top = Object.fromEntries(r.directions.map((d) => [`${d.query}→${d.gallery}`, d.top1]));
    expect(top['sar→rgb']).toBe(1);
    expect(top['rgb→sar']).toBe(1);
    expect(top['sar→ir']).toBe(0);
    expect(top['ir→rgb']).toBe(0);
  });

  it('pools the tokens whose patch centre lies inside the box', () => {
    const px = Float32Array.from({ length: 3 * 32 * 32 }, (_, i) => Math.cos(i * 0.37));
    const box = [0, 0, 15, 15]; // patch centres (4, 4), (12, 4), (4, 12), (12, 12): cells 0, 1, 4, 5
    const { features } = objectFeatures(vit, [{ modality: 'sar', pixels: px, size: 32, objects: [{ concept: 'ship', hbb: box }] }]);
    const tokens = vit.forwardTaps(tf.tensor4d(px, [1, 3, 32, 32]), [-1]).taps[0].arraySync()[0];
    const manual = tokens[0].map((_, j) => (tokens[0][j] + tokens[1][j] + tokens[4][j] + tokens[5][j]) / 4);
    manual.forEach((v, j) => expect(features[0][j]).toBeCloseTo(v, 5));
  });
});
