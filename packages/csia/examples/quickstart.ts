// Run from the repo root: npx tsx --conditions=@babelrs/source packages/csia/examples/quickstart.ts
import * as tf from '@tensorflow/tfjs';
import { buildLossMask, packInstructionBatch, pixelShuffle, responseOnlyCrossEntropy } from '@babelrs/csia';

await tf.setBackend('cpu');

// ViT tokens of a 4×4 patch grid (class token already dropped), C = 8 → 4 tokens of 32 channels.
const vitTokens = tf.randomNormal([1, 16, 8]) as tf.Tensor3D; // [B, N, C]
const shuffled = pixelShuffle(vitTokens, 4, 4, 0.5); // [1, 4, 32]
console.log('pixel shuffle:', vitTokens.shape, '→', shuffled.shape);

// Two tokenised samples (vocabulary V = 10, pad id 0), packed into one batch of T = 6:
// sequence 0 = 2 prompt tokens + 3 response tokens + 1 pad; sequence 1 = 3 prompt + 3 response.
const batch = packInstructionBatch(
  [
    { promptIds: [5, 1], responseIds: [7, 7, 2] },
    { promptIds: [3, 3, 4], responseIds: [9, 8, 2] },
  ],
  { padId: 0 },
);
const targets = tf.tensor2d(batch.inputIds, [batch.batchSize, batch.seqLen], 'int32');
const mask = buildLossMask(batch.promptLengths, batch.totalLengths, batch.seqLen); // 1 on response tokens
const logits = tf.randomNormal([2, 6, 10], 0, 1, 'float32', 1) as tf.Tensor3D; // [B, T, V] from the LM
const { value, grad } = tf.valueAndGrad((z: tf.Tensor) => responseOnlyCrossEntropy(z as tf.Tensor3D, targets, mask))(logits);
console.log('mask:', Array.from(mask.dataSync()).join(''));
console.log('response-only loss:', value.dataSync()[0].toFixed(4), '(6 response tokens; uniform logits would give ln 10 = 2.3026)');
console.log('grad is zero on rows that predict prompt/pad tokens:', Array.from(grad.slice([0, 0, 0], [1, 1, 10]).dataSync()).every((g) => g === 0));
tf.dispose([vitTokens, shuffled, targets, mask, logits, value, grad]);
