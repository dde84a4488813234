// Qwen2 / Llama decoder configuration, read from a Hugging Face `config.json` (the field names
// and defaults of transformers' Qwen2Config), validated with errors naming the field.
import fs from 'node:fs';
import { CsiaInputError } from '../errors.js';

export interface Qwen2Config {
  /** 'qwen2' (q/k/v bias) or 'llama' (no bias unless attention_bias). */
  model_type: 'qwen2' | 'llama';
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  /** Default hidden_size / num_attention_heads. */
  head_dim: number;
  max_position_embeddings: number;
  rope_theta: number;
  rms_norm_eps: number;
  tie_word_embeddings: boolean;
  /** q/k/v projections carry a bias (Qwen2: always). */
  attention_bias: boolean;
  hidden_act: 'silu';
  bos_token_id?: number | null;
  eos_token_id?: number | number[] | null;
}

/** Qwen2.5-0.5B(-Instruct)'s shape (its config.json), e.g. for benchmarks with random weights. */
export const QWEN2_5_0_5B: Qwen2Config = {
  model_type: 'qwen2',
  vocab_size: 151936,
  hidden_size: 896,
  intermediate_size: 4864,
  num_hidden_layers: 24,
  num_attention_heads: 14,
  num_key_value_heads: 2,
  head_dim: 64,
  max_position_embeddings: 32768,
  rope_theta: 1000000,
  rms_norm_eps: 1e-6,
  tie_word_embeddings: true,
  attention_bias: true,
  hidden_act: 'silu',
  bos_token_id: 151643,
  eos_token_id: 151645,
};

const INTS = ['vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads'] as const;

/** A full config from a config.json object (missing optional fields get transformers' defaults). */
export function parseQwen2Config(raw: Record<string, unknown>, where = 'config.json'): Qwen2Config {
  if (!raw || typeof raw !== 'object') throw new CsiaInputError(`${where}: not a JSON object`);
  // InternVL nests the LM config under llm_config.
  if (raw.llm_config && typeof raw.llm_config === 'object') return parseQwen2Config(raw.llm_config as Record<string, unknown>, `${where} llm_config`);
  const type = (raw.model_type ?? 'qwen2') as string;
  if (type !== 'qwen2' && type !== 'llama') throw new CsiaInputError(`${where}: model_type "${type}" is not supported (qwen2, llama)`);
  for (const k of INTS) {
    if (!(Number.isInteger(raw[k]) && (raw[k] as number) > 0)) throw new CsiaInputError(`${where}: "${k}" must be a positive integer, got ${JSON.stringify(raw[k])}`);
  }
  const heads = raw.num_attention_heads as number;
  const kvHeads = (raw.num_key_value_heads ?? heads) as number;
  const hidden = raw.hidden_size as number;
  const headDim = (raw.head_dim ?? hidden / heads) as number;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) throw new CsiaInputError(`${where}: head_dim ${headDim} must be an even integer (hidden_size / num_attention_heads)`);
  if (!(Number.isInteger(kvHeads) && kvHeads > 0 && heads % kvHeads === 0)) {
    throw new CsiaInputError(`${where}: num_key_value_heads ${kvHeads} must divide num_attention_heads ${heads}`);
  }
  const act = raw.hidden_act ?? 'silu';
  if (act !== 'silu') throw new CsiaInputError(`${where}: hidden_act "${String(act)}" is not supported (silu)`);
  const num = (k: string, d: number) => {
    const v = raw[k] ?? d;
    if (typeof v !== 'number' || !(v > 0)) throw new CsiaInputError(`${where}: "${k}" must be a positive number, got ${JSON.stringify(v)}`);
    return v;
  };
  return {
    model_type: type,
    vocab_size: raw.vocab_size as number,
    hidden_size: hidden,
    intermediate_size: raw.intermediate_size as number,
    num_hidden_layers: raw.num_hidden_layers as number,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    head_dim: headDim,
    max_position_embeddings: num('max_position_embeddings', 32768),
    rope_theta: num('rope_theta', 10000),
    rms_norm_eps: num('rms_norm_eps', 1e-6),
    tie_word_embeddings: Boolean(raw.tie_word_embeddings ?? false),
    attention_bias: type === 'qwen2' ? true : Boolean(raw.attention_bias ?? false),
    hidden_act: 'silu',
    bos_token_id: (raw.bos_token_id ?? null) as number | null,
    eos_token_id: (raw.eos_token_id ?? null) as number | number[] | null,
  };
}

export function readQwen2Config(file: string): Qwen2Config {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CsiaInputError(`${file}: ${(e as Error).message}`);
  }
  return parseQwen2Config(raw as Record<string, unknown>, file);
}

/** The config.json object transformers writes for this config. */
export function qwen2ConfigJson(c: Qwen2Config): Record<string, unknown> {
  const arch = c.model_type === 'qwen2' ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM';
  return { architectures: [arch], ...c, torch_dtype: 'float32' };
}
