// Asking the VLM about images: greedy / top-k generation with the visual tokens spliced into the
// prompt, and exact-match accuracy of held-out instruction answers per modality and task.
import * as tf from '@tensorflow/tfjs';
import type { Modality } from '@babelrs/datasets';
import type { CsiaExample, CsiaImage } from '../data/mini-soi-examples.js';
import { generate, type GenerateOptions } from '../lm/generate.js';
import { stackImages } from '../pretrain/batching.js';
import { encodeInstruction } from '../tokenizer/chat-format.js';
import type { TextTokenizer } from '../tokenizer/text-tokenizer.js';
import type { VisionLanguageModel } from './vlm.js';

export interface AskOptions extends Partial<Omit<GenerateOptions, 'attentionMask'>> {
  /** LVSA step for the fusion (default: far past τ, i.e. the fully annealed model). */
  step?: number;
}

/**
 * Answers one question per image. `images`: each [3, H, W] normalised (like `CsiaImage.pixels`).
 * Prompts are left-padded into one batch; answers are decoded up to `<|im_end|>`.
 */
export function askImages(vlm: VisionLanguageModel, tokenizer: TextTokenizer, images: readonly Float32Array[], questions: readonly string[], opts: AskOptions = {}): string[] {
  if (images.length !== questions.length) throw new Error(`askImages: ${images.length} images for ${questions.length} questions`);
  const size = vlm.config.vit.imgSize;
  const endId = tokenizer.tokenId('<|im_end|>');
  const padId = tokenizer.tokenId('<|endoftext|>');
  const prompts = questions.map((q) => encodeInstruction(tokenizer, q, '', { numImageTokens: vlm.numImageTokens }).promptIds);
  const t = Math.max(...prompts.map((p) => p.length));
  const ids = new Int32Array(prompts.length * t).fill(padId);
  const mask = prompts.map((p, i) => {
    ids.set(p, i * t + t - p.length);
    return Array.from({ length: t }, (_, j) => (j >= t - p.length ? 1 : 0));
  });
  const pixels = stackImages(images.map((p, i) => ({ id: String(i), modality: 'rgb', pixels: p, size, objects: [] })), images.map((_, i) => i));
  const embeds = tf.tidy(() => vlm.spliceEmbeddings(vlm.encodeImages(pixels, opts.step ?? Number.MAX_SAFE_INTEGER), ids, prompts.length, t));
  try {
    const out = generate(vlm.lm, { inputsEmbeds: embeds }, { maxNewTokens: opts.maxNewTokens ?? 24, eosTokenIds: [endId], strategy: opts.strategy, topK: opts.topK, temperature: opts.temperature, seed: opts.seed, attentionMask: mask });
    return out.map((tokens) => tokenizer.decode(tokens.filter((x) => x !== endId)).trim());
  } finally {
    tf.dispose([pixels, embeds]);
  }
}

export interface AnswerAccuracy {
  modality: Modality;
  task: string;
  n: number;
  correct: number;
  accuracy: number;
  /** Uniform guessing among the answer choices (referring: 1 / classes listed in the prompt). */
  chance: number;
  /** Exact-match accuracy of always giving the most frequent training answer to the same question text. */
  textPrior: number;
}

/** Exact-match accuracy of greedy answers on held-out examples, per modality and task. */
export function evaluateAnswers(
  vlm: VisionLanguageModel,
  tokenizer: TextTokenizer,
  images: readonly CsiaImage[],
  examples: readonly CsiaExample[],
  train: readonly CsiaExample[],
  opts: { batchSize?: number; maxNewTokens?: number } = {},
): AnswerAccuracy[] {
  const prior = answerPrior(train);
  const groups = new Map<string, { modality: Modality; task: string; n: number; correct: number; prior: number; chance: number }>();
  const bs = opts.batchSize ?? 16;
  for (let i = 0; i < examples.length; i += bs) {
    const chunk = examples.slice(i, i + bs);
    const answers = askImages(vlm, tokenizer, chunk.map((e) => images[e.image].pixels), chunk.map((e) => e.instruction), { maxNewTokens: opts.maxNewTokens ?? 16 });
    chunk.forEach((e, k) => {
      const key = `${e.modality}/${e.task}`;
      const g = groups.get(key) ?? { modality: e.modality, task: e.task, n: 0, correct: 0, prior: 0, chance: 0 };
      g.n++;
      if (answers[k] === e.response) g.correct++;
      if ((prior.get(e.instruction) ?? prior.get(`${e.modality}/${e.task}`)) === e.response) g.prior++;
      g.chance += chanceOf(e, train);
      groups.set(key, g);
    });
  }
  return [...groups.values()].map((g) => ({ modality: g.modality, task: g.task, n: g.n, correct: g.correct, accuracy: g.correct / g.n, chance: g.chance / g.n, textPrior: g.prior / g.n }));
}

/** Most frequent training answer per question text (and per modality/task as a fallback). */
function answerPrior(train: readonly CsiaExample[]): Map<string, string> {
  const counts = new Map<string, Map<string, number>>();
  const add = (key: string, answer: string) => {
    const m = counts.get(key) ?? new Map<string, number>();
    m.set(answer, (m.get(answer) ?? 0) + 1);
    counts.set(key, m);
  };
  for (const e of train) {
    add(e.instruction, e.response);
    add(`${e.modality}/${e.task}`, e.response);
  }
  const out = new Map<string, string>();
  for (const [key, m] of counts) out.set(key, [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0]);
  return out;
}

function chanceOf(e: CsiaExample, train: readonly CsiaExample[]): number {
  if (e.task === 'referring') {
    const list = /classes are:? ([^?.]+)/i.exec(e.instruction)?.[1];
    return list ? 1 / list.split(',').length : Number.NaN;
  }
  if (e.task === 'presence') return 0.5;
  // counting and others: uniform over the distinct answers the training set gives to this task
  const answers = new Set(train.filter((x) => x.task === e.task && x.modality === e.modality).map((x) => x.response));
  return answers.size ? 1 / answers.size : Number.NaN;
}
