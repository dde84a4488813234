import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { boxToDistance, distanceToBox } from './box-distance.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('distanceToBox / boxToDistance', () => {
  it('decodes (left, top, right, bottom) around a point — hand values, with and without clipping', () => {
    const points = tf.tensor2d([[10, 20], [2, 3]]);
    const dist = tf.tensor2d([[1, 2, 3, 4], [5, 1, 4, 30]]);
    const before = tf.memory().numTensors;
    const boxes = distanceToBox(points, dist);
    expect(Array.from(boxes.dataSync())).toEqual([9, 18, 13, 24, -3, 2, 6, 33]);
    const clipped = distanceToBox(points, dist, [25, 12]); // height 25, width 12
    expect(Array.from(clipped.dataSync())).toEqual([9, 18, 12, 24, 0, 2, 6, 25]);
    tf.dispose([boxes, clipped]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([points, dist]);
  });

  it('encodes boxes back to distances, clamped to [0, maxDistance − 0.1]', () => {
    const points = tf.tensor2d([[10, 20], [2, 3]]);
    const boxes = tf.tensor2d([[9, 18, 13, 24], [-3, 2, 6, 33]]);
    const d = boxToDistance(points, boxes);
    expect(Array.from(d.dataSync())).toEqual([1, 2, 3, 4, 5, 1, 4, 30]);
    const clamped = boxToDistance(points, boxes, 4);
    Array.from(clamped.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([1, 2, 3, 3.9, 3.9, 1, 3.9, 3.9][i], 6));
    tf.dispose([points, boxes, d, clamped]);
  });

  it('gradient of the decoded box w.r.t. distances is the side sign', () => {
    const points = tf.tensor2d([[1, 1]]);
    const g = tf.grad((d: tf.Tensor) => tf.sum(distanceToBox(points, d as tf.Tensor2D)))(tf.tensor2d([[1, 1, 1, 1]]));
    expect(Array.from(g.dataSync())).toEqual([-1, -1, 1, 1]);
    tf.dispose([points, g]);
  });

  it('rejects mismatched shapes', () => {
    const p = tf.zeros([2, 2]) as tf.Tensor2D;
    const d = tf.zeros([3, 4]) as tf.Tensor2D;
    expect(() => distanceToBox(p, d)).toThrow(/2 points but 3 distances/);
    const b = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(() => boxToDistance(p, b, 0.05)).toThrow(/maxDistance must exceed eps/);
    tf.dispose([p, d, b]);
  });
});
