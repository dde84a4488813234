// The interface the VLM and `generate` use, so another decoder architecture can be swapped in.
import type * as tf from '@tensorflow/tfjs';
import type { Module } from '@babelrs/core';
import type { KVCache } from './kv-cache.js';

export interface LMForwardInputs {
  /** [B, T] int32 token ids; give either this or `inputsEmbeds`. */
  inputIds?: tf.Tensor2D;
  /** [B, T, hidden] embeddings (visual tokens spliced into text embeddings). */
  inputsEmbeds?: tf.Tensor3D;
  /**
   * [B, S + T] 1 = real token, 0 = padding, over cached AND current positions (HF convention).
   * Default: all ones. Position ids follow it (cumsum − 1), as transformers' `generate` does.
   */
  attentionMask?: readonly (readonly number[])[];
  /** Cache to read and extend (incremental decoding). */
  cache?: KVCache;
}

export interface LMForwardOutput {
  /** [B, T, vocab] */
  logits: tf.Tensor3D;
}

export interface LanguageModel extends Module {
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly numLayers: number;
  /** ids [B, T] int32 → [B, T, hidden] input embeddings. */
  embed(ids: tf.Tensor2D): tf.Tensor3D;
  forward(inputs: LMForwardInputs): LMForwardOutput;
  /** Final hidden states only (no lm_head), [B, T, hidden]. */
  forwardHidden(inputs: LMForwardInputs): tf.Tensor3D;
  newCache(): KVCache;
}
