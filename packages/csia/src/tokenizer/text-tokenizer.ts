// A Hugging Face `tokenizer.json` (+ optional `tokenizer_config.json`) loaded with
// @huggingface/tokenizers (pure TypeScript). The same class serves Qwen's real tokenizer and the
// small one `trainBpeTokenizer` builds from the instruction corpus: both are standard files.
import fs from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { CsiaInputError } from '../errors.js';

/** An `added_tokens` entry of tokenizer.json. */
export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** The parts of tokenizer.json this package reads or writes (the rest is passed through). */
export interface TokenizerJson {
  added_tokens: AddedTokenJson[];
  model: { type: string; vocab: Record<string, number> | unknown; merges?: unknown[]; [key: string]: unknown };
  [key: string]: unknown;
}

export interface TokenizerConfigJson {
  chat_template?: string;
  eos_token?: string | null;
  pad_token?: string | null;
  bos_token?: string | null;
  [key: string]: unknown;
}

export interface LoadTokenizerOptions {
  /**
   * Special tokens appended (with the next free ids) when the file lacks them, as InternVL does
   * for `<img>`, `</img>`, `<IMG_CONTEXT>` on top of Qwen's tokenizer.
   */
  extraSpecialTokens?: readonly string[];
}

/** The image placeholder tokens InternVL inserts around the visual tokens. */
export const IMAGE_TOKENS = { start: '<img>', end: '</img>', context: '<IMG_CONTEXT>' } as const;

export class TextTokenizer {
  private readonly tok: Tokenizer;
  private readonly idToToken = new Map<number, string>();
  /** Vocabulary size including added tokens: max id + 1 (what the LM's embedding must cover). */
  readonly vocabSize: number;

  constructor(
    readonly json: TokenizerJson,
    readonly config: TokenizerConfigJson = {},
    /** Where it came from, for error messages. */
    readonly source = '<memory>',
  ) {
    if (!json || typeof json !== 'object' || !json.model || !Array.isArray(json.added_tokens)) {
      throw new CsiaInputError(`${source}: not a tokenizer.json (needs "model" and "added_tokens")`);
    }
    this.tok = new Tokenizer(json, config);
    let maxId = -1;
    for (const [token, id] of this.tok.get_vocab(true)) {
      this.idToToken.set(id, token);
      if (id > maxId) maxId = id;
    }
    this.vocabSize = maxId + 1;
  }

  /** Loads `tokenizer.json` from a file or from a model folder (with its tokenizer_config.json). */
  static fromFile(fileOrDir: string, opts: LoadTokenizerOptions = {}): TextTokenizer {
    const isDir = fs.existsSync(fileOrDir) && fs.statSync(fileOrDir).isDirectory();
    const file = isDir ? path.join(fileOrDir, 'tokenizer.json') : fileOrDir;
    const json = readJson(file) as TokenizerJson;
    const configFile = path.join(path.dirname(file), 'tokenizer_config.json');
    const config = fs.existsSync(configFile) ? (readJson(configFile) as TokenizerConfigJson) : {};
    return TextTokenizer.fromJson(withSpecialTokens(json, opts.extraSpecialTokens ?? []), config, file);
  }

  static fromJson(json: TokenizerJson, config: TokenizerConfigJson = {}, source = '<memory>', opts: LoadTokenizerOptions = {}): TextTokenizer {
    return new TextTokenizer(withSpecialTokens(json, opts.extraSpecialTokens ?? []), config, source);
  }

  /** Token ids of `text`; special tokens written in the text (e.g. `<|im_start|>`) map to their ids. */
  encode(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: false }).ids;
  }

  /** The token strings of `text` (byte-level symbols for BPE tokenizers). */
  tokens(text: string): string[] {
    return this.tok.encode(text, { add_special_tokens: false }).tokens;
  }

  decode(ids: readonly number[], opts: { skipSpecialTokens?: boolean } = {}): string {
    return this.tok.decode([...ids], { skip_special_tokens: opts.skipSpecialTokens ?? false, clean_up_tokenization_spaces: false });
  }

  /** The id of a token string, or an error naming it and the file. */
  tokenId(token: string): number {
    const id = this.tok.token_to_id(token);
    if (id === undefined) throw new CsiaInputError(`${this.source}: token ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  }

  hasToken(token: string): boolean {
    return this.tok.token_to_id(token) !== undefined;
  }

  idToTokenString(id: number): string | undefined {
    return this.idToToken.get(id);
  }

  /** The chat template of tokenizer_config.json, when it has one. */
  get chatTemplate(): string | undefined {
    return typeof this.config.chat_template === 'string' ? this.config.chat_template : undefined;
  }

  /** Writes tokenizer.json (and tokenizer_config.json) into `dir`, atomically. */
  save(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    writeTextAtomic(path.join(dir, 'tokenizer.json'), JSON.stringify(this.json));
    writeTextAtomic(path.join(dir, 'tokenizer_config.json'), JSON.stringify(this.config, null, 2));
  }
}

function withSpecialTokens(json: TokenizerJson, extra: readonly string[]): TokenizerJson {
  const missing = extra.filter((t) => !json.added_tokens.some((a) => a.content === t));
  if (missing.length === 0) return json;
  const vocab = json.model.vocab;
  const vocabIds = vocab && typeof vocab === 'object' && !Array.isArray(vocab) ? Object.values(vocab as Record<string, number>) : [];
  let next = 0;
  for (const id of vocabIds) if (id >= next) next = id + 1;
  for (const a of json.added_tokens) if (a.id >= next) next = a.id + 1;
  const added = missing.map((content) => ({ id: next++, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  return { ...json, added_tokens: [...json.added_tokens, ...added] };
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CsiaInputError(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CsiaInputError(`${file}: invalid JSON (${(e as Error).message})`);
  }
}

export function writeTextAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
