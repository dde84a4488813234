import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { pixelShuffle } from './pixel-shuffle.js';

interface ShuffleCase {
  shape: [number, number, number];
  gridH: number;
  gridW: number;
  scale: number;
  input: number[];
  expected: number[];
  expectedShape: number[];
}
const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/csia_cases.json'), 'utf8')) as { pixelShuffle: ShuffleCase[] };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('pixelShuffle', () => {
  it('merges each 2×2 block into one token, rows first — hand case', () => {
    // 2×2 grid, C = 1: tokens a b / c d → one token [a, b, c, d]
    const x = tf.tensor3d([1, 2, 3, 4], [1, 4, 1]);
    const before = tf.memory().numTensors;
    const y = pixelShuffle(x, 2, 2);
    expect(y.shape).toEqual([1, 1, 4]);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it.each(fixture.pixelShuffle.map((c) => [`${c.shape.join('×')} grid ${c.gridH}×${c.gridW}`, c] as const))(
    "matches InternVL's pixel_shuffle (torch fixture): %s",
    (_name, c) => {
      const x = tf.tensor3d(c.input, c.shape);
      const before = tf.memory().numTensors;
      const y = pixelShuffle(x, c.gridH, c.gridW, c.scale);
      expect(y.shape).toEqual(c.expectedShape);
      expect(Array.from(y.dataSync())).toEqual(c.expected);
      y.dispose();
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    },
  );

  it('rejects grids that do not match the tokens or the scale', () => {
    const x = tf.zeros([1, 12, 2]) as tf.Tensor3D;
    expect(() => pixelShuffle(x, 4, 4)).toThrow(/12 tokens do not form a 4×4 grid/);
    expect(() => pixelShuffle(x, 3, 4)).toThrow(/grid 3×4 is not divisible by 2/);
    expect(() => pixelShuffle(x, 3, 4, 0.4)).toThrow(/1\/k/);
    x.dispose();
  });
});
