import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bicubicResizeGrid, interpolatePosEmbed, type Grid } from './pos-embed.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Case {
  fromGrid: [number, number];
  toGrid: [number, number];
  numPrefixTokens: number;
  dim: number;
  antialias: boolean;
  input: number[];
  expected: number[];
  expectedShape: number[];
}
const fixture = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/pos_embed_cases.json'), 'utf8')) as { cases: Case[] };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('interpolatePosEmbed', () => {
  it.each(fixture.cases.map((c) => [`${c.fromGrid.join('×')} → ${c.toGrid.join('×')}, ${c.numPrefixTokens} prefix, antialias ${c.antialias}`, c] as const))(
    'matches torch F.interpolate bicubic (align_corners=False): %s',
    (_name, c) => {
      const pe = tf.tensor3d(c.input, [1, c.numPrefixTokens + c.fromGrid[0] * c.fromGrid[1], c.dim]);
      const before = tf.memory().numTensors;
      const out = interpolatePosEmbed(pe, c.fromGrid, c.toGrid, c.numPrefixTokens, { antialias: c.antialias });
      expect(out.shape).toEqual(c.expectedShape);
      const got = out.dataSync();
      c.expected.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(1e-5));
      out.dispose();
      expect(tf.memory().numTensors).toBe(before);
      pe.dispose();
    },
  );

  it('rejects a posEmbed that does not match the grid and prefix count', () => {
    const pe = tf.zeros([1, 10, 4]) as tf.Tensor3D;
    expect(() => interpolatePosEmbed(pe, [3, 3], [4, 4], 0)).toThrow(/0 prefix \+ 3×3 grid tokens/);
    expect(() => interpolatePosEmbed(pe, [3, 3], [0, 4], 1)).toThrow(/toGrid/);
    pe.dispose();
  });
});

describe('bicubicResizeGrid', () => {
  it('keeps a constant field constant, and weights taps by Keys cubic with A = −0.75 (hand values)', () => {
    const from: Grid = [4, 4];
    const to: Grid = [8, 8];
    const constant = bicubicResizeGrid(new Float32Array(16).fill(2.5), from, to, 1);
    constant.forEach((v) => expect(v).toBeCloseTo(2.5, 6));
    // f = column index. Output column 3 samples x = (3 + 0.5)·(4/8) − 0.5 = 1.25: taps 0..3 with
    // t = 0.25 get weights [−0.10546875, 0.87890625, 0.26171875, −0.03515625] (hand-computed from
    // PyTorch's cubic_convolution1/2 with A = −0.75), so f = 0.87890625 + 2·0.26171875 − 3·0.03515625
    // = 1.296875 — not 1.25: with A = −0.75 cubic convolution does not reproduce linear ramps.
    const ramp = new Float32Array(16).map((_, i) => i % 4);
    const out = bicubicResizeGrid(ramp, from, to, 1);
    expect(out[2 * 8 + 3]).toBeCloseTo(1.296875, 6);
    // Output column 0 samples x = −0.25: taps −2..1 clamp to [0, 0, 0, 1]; t = 0.75, weights
    // [far(1.75), near(0.75), near(0.25), far(1.25)]; only the last tap has f ≠ 0:
    // f = 1·far(1.25) = −0.10546875.
    expect(out[2 * 8 + 0]).toBeCloseTo(-0.10546875, 6);
  });

  it('antialias: halving averages with the widened a = −0.5 kernel (hand values)', () => {
    // 4 → 2 columns, scale 2: output 0 has center 1, support 2·2 = 4 → taps 0..3 (xmin clamped
    // to 0, xsize to the axis) at distances (j − 0.5)/2 = −0.25, 0.25, 0.75, 1.25 → a = −0.5
    // kernel 0.8671875, 0.8671875, 0.2265625, −0.0703125, renormalised by their sum 1.890625:
    // f = (1·0.8671875 + 2·0.2265625 − 3·0.0703125) / 1.890625 = 1.109375 / 1.890625.
    const ramp = new Float32Array([0, 1, 2, 3]);
    const out = bicubicResizeGrid(ramp, [1, 4], [1, 2], 1, { antialias: true });
    expect(out[0]).toBeCloseTo(1.109375 / 1.890625, 6);
    // A constant stays constant, because the weights are renormalised.
    const flat = bicubicResizeGrid(new Float32Array(12).fill(3), [3, 4], [5, 2], 1, { antialias: true });
    flat.forEach((v) => expect(v).toBeCloseTo(3, 6));
  });
});
