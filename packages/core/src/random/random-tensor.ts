import * as tf from '@tensorflow/tfjs';
import { defaultRng } from './global-rng.js';
import type { Rng } from './rng.js';

// Tensors filled from the JS generator, so values do not depend on the backend.

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function randomUniform(shape: readonly number[], low = 0, high = 1, rng: Rng = defaultRng()): tf.Tensor {
  return tf.tensor(rng.fillUniform(size(shape), low, high), [...shape], 'float32');
}

export function randomNormal(shape: readonly number[], mean = 0, std = 1, rng: Rng = defaultRng()): tf.Tensor {
  return tf.tensor(rng.fillNormal(size(shape), mean, std), [...shape], 'float32');
}

/** 0/1 mask with P(1) = p. */
export function randomBernoulli(shape: readonly number[], p: number, rng: Rng = defaultRng()): tf.Tensor {
  return tf.tensor(rng.fillBernoulli(size(shape), p), [...shape], 'float32');
}
