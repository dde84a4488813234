// Turning CSIA examples into model inputs: tokenised once (prompt with the image placeholder,
// response + <|im_end|>), packed right-padded, images stacked as [B, 3, H, W].
import * as tf from '@tensorflow/tfjs';
import type { CsiaExample, CsiaImage } from '../data/mini-soi-examples.js';
import { packInstructionBatch, type PackedBatch } from '../pack-batch.js';
import { encodeInstruction, type EncodedInstruction } from '../tokenizer/chat-format.js';
import type { TextTokenizer } from '../tokenizer/text-tokenizer.js';

export function tokenizeExamples(tokenizer: TextTokenizer, examples: readonly CsiaExample[], numImageTokens: number, template?: string): EncodedInstruction[] {
  return examples.map((e) => encodeInstruction(tokenizer, e.instruction, e.response, { numImageTokens, template }));
}

/** Images of the given examples as one [B, 3, H, W] tensor. */
export function stackImages(images: readonly CsiaImage[], indices: readonly number[]): tf.Tensor4D {
  const size = images[indices[0]].size;
  const per = 3 * size * size;
  const data = new Float32Array(indices.length * per);
  indices.forEach((k, i) => data.set(images[k].pixels, i * per));
  return tf.tensor4d(data, [indices.length, 3, size, size]);
}

export interface ModelBatch {
  packed: PackedBatch;
  /** [B][T] 1 up to each sequence's end. */
  attentionMask: number[][];
}

export function packBatch(encoded: readonly EncodedInstruction[], padId: number, maxLength?: number): ModelBatch {
  const packed = packInstructionBatch(encoded, { padId, maxLength });
  const attentionMask = packed.totalLengths.map((n) => Array.from({ length: packed.seqLen }, (_, t) => (t < n ? 1 : 0)));
  return { packed, attentionMask };
}
