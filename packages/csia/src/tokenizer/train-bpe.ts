// A small byte-level BPE tokenizer learnt from a text corpus (the CSIA instruction set), written
// as a standard Hugging Face tokenizer.json with Qwen2's pre-tokenizer, normaliser and decoder,
// so `TextTokenizer` loads it exactly like Qwen's own file. Byte level: every string encodes
// (unseen characters fall back to their UTF-8 bytes), nothing maps to an unknown token.
import { Tokenizer } from '@huggingface/tokenizers';
import { CsiaInputError } from '../errors.js';
import { IMAGE_TOKENS, TextTokenizer, type TokenizerJson } from './text-tokenizer.js';

/** Qwen2's special tokens plus InternVL's image tokens, in this order after the BPE vocabulary. */
export const DEFAULT_SPECIAL_TOKENS: readonly string[] = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', IMAGE_TOKENS.start, IMAGE_TOKENS.end, IMAGE_TOKENS.context];

// Qwen2's split regex (GPT-4 style, digits one by one), then byte-level mapping.
const QWEN2_PRE_TOKENIZER = {
  type: 'Sequence',
  pretokenizers: [
    {
      type: 'Split',
      pattern: { Regex: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" },
      behavior: 'Isolated',
      invert: false,
    },
    { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
  ],
};
const BYTE_LEVEL = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };

export interface TrainBpeOptions {
  /** Merges to learn at most (default 1000); learning stops earlier when no pair occurs twice. */
  maxMerges?: number;
  /** Pairs seen fewer times are not merged (default 2). */
  minFrequency?: number;
  specialTokens?: readonly string[];
}

/** GPT-2's reversible byte → printable-character table (the ByteLevel alphabet). */
export function byteLevelAlphabet(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const table = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = keep.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  return table;
}

/** Learns byte-level BPE merges from `texts`; returns the tokenizer (save it with `.save(dir)`). */
export function trainBpeTokenizer(texts: Iterable<string>, opts: TrainBpeOptions = {}): TextTokenizer {
  const maxMerges = opts.maxMerges ?? 1000;
  const minFrequency = opts.minFrequency ?? 2;
  const specials = opts.specialTokens ?? DEFAULT_SPECIAL_TOKENS;
  const alphabet = byteLevelAlphabet();
  const vocab: Record<string, number> = {};
  alphabet.forEach((ch, i) => (vocab[ch] = i));
  // A throw-away tokenizer with no merges gives us Qwen2's exact pre-tokenisation.
  const pre = new Tokenizer(assemble(vocab, [], []), {});
  const wordCounts = new Map<string, number>();
  let nTexts = 0;
  for (const text of texts) {
    nTexts++;
    for (const piece of pre.pre_tokenizer!.pre_tokenize(text.normalize('NFC'))) wordCounts.set(piece, (wordCounts.get(piece) ?? 0) + 1);
  }
  if (nTexts === 0) throw new CsiaInputError('trainBpeTokenizer: empty corpus');
  const words = [...wordCounts].map(([w, count]) => ({ symbols: [...w], count }));
  const merges: [string, string][] = [];
  while (merges.length < maxMerges) {
    const best = mostFrequentPair(words);
    if (!best || best.count < minFrequency) break;
    const [a, b] = best.pair;
    merges.push([a, b]);
    vocab[a + b] = Object.keys(vocab).length;
    for (const w of words) w.symbols = mergeSymbols(w.symbols, a, b);
  }
  const base = Object.keys(vocab).length;
  const added = specials.map((content, i) => ({ id: base + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  const config = { tokenizer_class: 'Qwen2Tokenizer', eos_token: '<|im_end|>', pad_token: '<|endoftext|>', bos_token: null, add_bos_token: false, model_max_length: 4096 };
  return new TextTokenizer(assemble(vocab, merges, added), config, '<trainBpeTokenizer>');
}

function assemble(vocab: Record<string, number>, merges: [string, string][], added: TokenizerJson['added_tokens']): TokenizerJson {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: { type: 'NFC' },
    pre_tokenizer: QWEN2_PRE_TOKENIZER,
    post_processor: BYTE_LEVEL,
    decoder: BYTE_LEVEL,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges },
  };
}

function mostFrequentPair(words: ReadonlyArray<{ symbols: string[]; count: number }>): { pair: [string, string]; count: number } | null {
  const counts = new Map<string, number>();
  for (const w of words) {
    for (let i = 0; i + 1 < w.symbols.length; i++) {
      const key = `${w.symbols[i]}\u0000${w.symbols[i + 1]}`;
      counts.set(key, (counts.get(key) ?? 0) + w.count);
    }
  }
  let best: string | null = null;
  let bestCount = 0;
  // Ties break on the pair string so training is deterministic whatever the map order.
  for (const [k, c] of counts) if (c > bestCount || (c === bestCount && best !== null && k < best)) [best, bestCount] = [k, c];
  if (best === null) return null;
  const [a, b] = best.split('\u0000');
  return { pair: [a, b], count: bestCount };
}

function mergeSymbols(symbols: string[], a: string, b: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === a && symbols[i + 1] === b) {
      out.push(a + b);
      i++;
    } else out.push(symbols[i]);
  }
  return out;
}
