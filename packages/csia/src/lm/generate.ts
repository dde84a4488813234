// Autoregressive decoding with a KV cache: greedy or top-k sampling (seeded), stopping per row at
// an end token. The prompt may be token ids or embeddings (visual tokens already spliced in).
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@babelrs/core';
import { CsiaInputError } from '../errors.js';
import type { LanguageModel } from './language-model.js';

export interface GenerateOptions {
  maxNewTokens: number;
  /** Stop a row once it produced one of these (the token is kept in the output). */
  eosTokenIds?: readonly number[];
  /** 'greedy' (default) or 'top-k' sampling. */
  strategy?: 'greedy' | 'top-k';
  topK?: number;
  temperature?: number;
  seed?: number;
  /** [B, T] 1/0 for the prompt (left padding for batched prompts of different lengths). */
  attentionMask?: readonly (readonly number[])[];
}

export type GeneratePrompt = { inputIds: readonly (readonly number[])[] } | { inputsEmbeds: tf.Tensor3D };

/** New tokens per row (without the prompt). Leaves no tensors behind. */
export function generate(lm: LanguageModel, prompt: GeneratePrompt, opts: GenerateOptions): number[][] {
  if (!(Number.isInteger(opts.maxNewTokens) && opts.maxNewTokens >= 0)) throw new CsiaInputError(`generate: maxNewTokens must be an integer ≥ 0, got ${opts.maxNewTokens}`);
  const strategy = opts.strategy ?? 'greedy';
  const topK = opts.topK ?? 20;
  if (strategy === 'top-k' && !(Number.isInteger(topK) && topK >= 1)) throw new CsiaInputError(`generate: topK must be an integer ≥ 1, got ${topK}`);
  const rng = new Rng(opts.seed ?? 0);
  const eos = new Set(opts.eosTokenIds ?? []);
  let ids: tf.Tensor2D | undefined;
  let embeds: tf.Tensor3D | undefined;
  if ('inputIds' in prompt) {
    const rows = prompt.inputIds;
    if (rows.length === 0 || rows.some((r) => r.length !== rows[0].length || r.length === 0)) throw new CsiaInputError('generate: inputIds rows must be non-empty and of equal length (left-pad them)');
    ids = tf.tensor2d(rows.map((r) => [...r]), [rows.length, rows[0].length], 'int32');
  } else embeds = prompt.inputsEmbeds;
  const [b, t] = (ids ?? embeds)!.shape;
  const mask = (opts.attentionMask ?? Array.from({ length: b }, () => new Array<number>(t).fill(1))).map((r) => [...r]);
  const cache = lm.newCache();
  // Inference mode for the duration (small-M projection path; restored afterwards).
  const wasTraining = lm.training;
  lm.eval();
  const out: number[][] = Array.from({ length: b }, () => []);
  const done = new Array<boolean>(b).fill(false);
  try {
    let logits = tf.tidy(() => lastLogits(lm.forward(ids ? { inputIds: ids, attentionMask: mask, cache } : { inputsEmbeds: embeds!, attentionMask: mask, cache }).logits));
    for (let step = 0; step < opts.maxNewTokens; step++) {
      const rows = logits.arraySync() as number[][];
      logits.dispose();
      const next = rows.map((row, i) => (done[i] ? (out[i][out[i].length - 1] ?? 0) : strategy === 'greedy' ? argmax(row) : sampleTopK(row, topK, opts.temperature ?? 1, rng)));
      next.forEach((tok, i) => {
        if (done[i]) return;
        out[i].push(tok);
        if (eos.has(tok)) done[i] = true;
      });
      if (done.every(Boolean) || step === opts.maxNewTokens - 1) return out;
      mask.forEach((r) => r.push(1));
      const stepIds = tf.tensor2d(next.map((x) => [x]), [b, 1], 'int32');
      logits = tf.tidy(() => lastLogits(lm.forward({ inputIds: stepIds, attentionMask: mask, cache }).logits));
      stepIds.dispose();
    }
    return out;
  } finally {
    lm.train(wasTraining);
    cache.dispose();
    ids?.dispose();
  }
}

/** [B, T, V] → [B, V] at the last position. */
function lastLogits(logits: tf.Tensor3D): tf.Tensor2D {
  const [b, t, v] = logits.shape;
  return tf.reshape(tf.slice(logits, [0, t - 1, 0], [b, 1, v]), [b, v]);
}

function argmax(row: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

function sampleTopK(row: readonly number[], k: number, temperature: number, rng: Rng): number {
  const order = [...row.keys()].sort((a, c) => row[c] - row[a]).slice(0, k);
  const max = row[order[0]];
  const weights = order.map((i) => Math.exp((row[i] - max) / temperature));
  const total = weights.reduce((a, w) => a + w, 0);
  let u = rng.uniform() * total;
  for (let j = 0; j < order.length; j++) {
    u -= weights[j];
    if (u <= 0) return order[j];
  }
  return order[order.length - 1];
}
