// Response-only supervision for CSIA (Concept-Shared Instruction Aligning): the LM is trained
// on −Σ_j log P(r_j | image, q, r_<j); image and instruction tokens only condition it.
import * as tf from '@tensorflow/tfjs';
import { CsiaInputError } from './errors.js';

/**
 * Marks the response tokens of each packed sequence.
 *
 * Sequence b holds `promptLengths[b]` conditioning tokens (image tokens + instruction), then
 * its response up to `totalLengths[b]`, then padding up to `seqLen`. Returns [B, seqLen]
 * float32 with 1 at response positions (the tokens the loss predicts) and 0 elsewhere.
 */
export function buildLossMask(promptLengths: readonly number[], totalLengths: readonly number[], seqLen?: number): tf.Tensor2D {
  if (promptLengths.length !== totalLengths.length) {
    throw new CsiaInputError(`buildLossMask: ${promptLengths.length} prompt lengths but ${totalLengths.length} total lengths`);
  }
  if (promptLengths.length === 0) throw new CsiaInputError('buildLossMask: empty batch');
  const t = seqLen ?? Math.max(...totalLengths);
  const mask = new Float32Array(promptLengths.length * t);
  promptLengths.forEach((prompt, b) => {
    const total = totalLengths[b];
    if (!Number.isInteger(prompt) || !Number.isInteger(total) || prompt < 0 || prompt > total || total > t) {
      throw new CsiaInputError(
        `buildLossMask: sequence ${b} needs 0 <= promptLength (${prompt}) <= totalLength (${total}) <= seqLen (${t}), integers`,
      );
    }
    mask.fill(1, b * t + prompt, b * t + total);
  });
  return tf.tensor2d(mask, [promptLengths.length, t]);
}
