// The Qwen2 decoder (transformers' Qwen2ForCausalLM) on @babelrs/core modules. Parameter names
// equal the Hugging Face safetensors keys (`model.embed_tokens.weight`,
// `model.layers.0.self_attn.q_proj.weight`, …, `lm_head.weight` unless tied), so checkpoints
// load by name. Shapes: B batch, T new tokens, S cached + new tokens, H heads, KVH key/value
// heads, d head_dim, D hidden size.
import * as tf from '@tensorflow/tfjs';
import { Embedding, Linear, Module, ModuleList, RMSNorm, Rng, getAutocastPrecision, linear, matMul, silu } from '@babelrs/core';
import { CsiaInputError } from '../errors.js';
import { KVCache } from './kv-cache.js';
import type { LanguageModel, LMForwardInputs, LMForwardOutput } from './language-model.js';
import type { Qwen2Config } from './qwen2-config.js';
import { applyRotary, rotaryTables } from './rotary.js';

/**
 * Rows up to which an eval-mode projection on wasm uses tf.matMul with transposeB: the core
 * path (explicit Wᵀ each call, then XNNPACK) re-transposes the whole weight, which dominates
 * a decode step (measured on [4864, 896]: M = 1 143 → 31 ms, M = 4 135 → 73 ms; from M ≈ 16
 * on the core path wins).
 */
const SMALL_M = 8;

/** `lin.forward(x)`, with the small-batch inference shortcut above. */
function project(lin: Linear, x: tf.Tensor, training: boolean): tf.Tensor {
  const rows = x.size / x.shape[x.rank - 1];
  if (training || rows > SMALL_M || tf.getBackend() !== 'wasm' || getAutocastPrecision() !== 'fp32') return lin.forward(x);
  return tf.tidy(() => {
    const inDim = x.shape[x.rank - 1];
    let y = tf.matMul(tf.reshape(x, [rows, inDim]), lin.weight, false, true); // [M, out]
    if (lin.bias) y = tf.add(y, lin.bias);
    return tf.reshape(y, [...x.shape.slice(0, -1), lin.outFeatures]);
  });
}

/** Additive mask value: exp(−1e9 − max) is exactly 0 in float32, and a fully masked row stays finite. */
const MASKED = -1e9;

export interface Qwen2InitOptions {
  seed?: number;
  /** Std of the normal init of every weight matrix and the embedding (HF initializer_range 0.02). */
  initStd?: number;
}

class Qwen2Attention extends Module {
  readonly qProj: Linear;
  readonly kProj: Linear;
  readonly vProj: Linear;
  readonly oProj: Linear;

  constructor(
    readonly c: Qwen2Config,
    rng: Rng,
    std: number,
  ) {
    super();
    const d = c.head_dim;
    const bias = c.attention_bias;
    const mk = (i: number, o: number, b: boolean) => new Linear(i, o, { bias: b, init: 'trunc_normal', std, rng });
    this.qProj = this.registerModule('q_proj', mk(c.hidden_size, c.num_attention_heads * d, bias));
    this.kProj = this.registerModule('k_proj', mk(c.hidden_size, c.num_key_value_heads * d, bias));
    this.vProj = this.registerModule('v_proj', mk(c.hidden_size, c.num_key_value_heads * d, bias));
    this.oProj = this.registerModule('o_proj', mk(c.num_attention_heads * d, c.hidden_size, false));
  }

  /** x [B, T, D], rope tables [B, 1, T, d], additive mask [B, 1, T, S] → [B, T, D]. */
  forward(x: tf.Tensor3D, cos: tf.Tensor4D, sin: tf.Tensor4D, mask: tf.Tensor4D, layer: number, cache?: KVCache): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, t] = x.shape;
      const { num_attention_heads: h, num_key_value_heads: kvh, head_dim: d } = this.c;
      const heads = (y: tf.Tensor, n: number) => tf.transpose(tf.reshape(y, [b, t, n, d]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, n, T, d]
      const q = applyRotary(heads(project(this.qProj, x, this.training), h), cos, sin);
      let k = applyRotary(heads(project(this.kProj, x, this.training), kvh), cos, sin);
      let v = heads(project(this.vProj, x, this.training), kvh);
      if (cache) ({ k, v } = cache.update(layer, k, v)); // [B, KVH, S, d]
      const kk = repeatKv(k, h / kvh); // [B, H, S, d]
      const vv = repeatKv(v, h / kvh);
      const scores = tf.add(tf.mul(matMul(q, kk, false, true), 1 / Math.sqrt(d)), mask); // [B, H, T, S]
      const probs = tf.softmax(scores, -1);
      const ctx = matMul(probs, vv); // [B, H, T, d]
      const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [b, t, h * d]);
      return project(this.oProj, merged, this.training) as tf.Tensor3D;
    });
  }
}

/** [B, KVH, S, d] → [B, KVH·nRep, S, d], each key/value head repeated nRep times in place (HF repeat_kv). */
function repeatKv(x: tf.Tensor4D, nRep: number): tf.Tensor4D {
  if (nRep === 1) return x;
  const [b, kvh, s, d] = x.shape;
  // rank-3 tile: tfjs has no tile gradient for rank 5.
  return tf.reshape(tf.tile(tf.reshape(x, [b * kvh, 1, s * d]), [1, nRep, 1]), [b, kvh * nRep, s, d]);
}

class Qwen2Mlp extends Module {
  readonly gate: Linear;
  readonly up: Linear;
  readonly down: Linear;

  constructor(c: Qwen2Config, rng: Rng, std: number) {
    super();
    const mk = (i: number, o: number) => new Linear(i, o, { bias: false, init: 'trunc_normal', std, rng });
    this.gate = this.registerModule('gate_proj', mk(c.hidden_size, c.intermediate_size));
    this.up = this.registerModule('up_proj', mk(c.hidden_size, c.intermediate_size));
    this.down = this.registerModule('down_proj', mk(c.intermediate_size, c.hidden_size));
  }

  /** SwiGLU: down(silu(gate(x)) · up(x)). */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => project(this.down, tf.mul(silu(project(this.gate, x, this.training)), project(this.up, x, this.training)), this.training));
  }
}

class Qwen2DecoderLayer extends Module {
  readonly attn: Qwen2Attention;
  readonly mlp: Qwen2Mlp;
  readonly inputNorm: RMSNorm;
  readonly postNorm: RMSNorm;

  constructor(c: Qwen2Config, rng: Rng, std: number) {
    super();
    this.attn = this.registerModule('self_attn', new Qwen2Attention(c, rng, std));
    this.mlp = this.registerModule('mlp', new Qwen2Mlp(c, rng, std));
    this.inputNorm = this.registerModule('input_layernorm', new RMSNorm(c.hidden_size, { eps: c.rms_norm_eps }));
    this.postNorm = this.registerModule('post_attention_layernorm', new RMSNorm(c.hidden_size, { eps: c.rms_norm_eps }));
  }

  forward(x: tf.Tensor3D, cos: tf.Tensor4D, sin: tf.Tensor4D, mask: tf.Tensor4D, layer: number, cache?: KVCache): tf.Tensor3D {
    return tf.tidy(() => {
      const h = tf.add(x, this.attn.forward(this.inputNorm.forward(x) as tf.Tensor3D, cos, sin, mask, layer, cache));
      return tf.add(h, this.mlp.forward(this.postNorm.forward(h))) as tf.Tensor3D;
    });
  }
}

/** Qwen2Model: embed_tokens, layers, norm. */
class Qwen2Backbone extends Module {
  readonly embedTokens: Embedding;
  readonly layers: ModuleList<Qwen2DecoderLayer>;
  readonly norm: RMSNorm;

  constructor(c: Qwen2Config, rng: Rng, std: number) {
    super();
    this.embedTokens = this.registerModule('embed_tokens', new Embedding(c.vocab_size, c.hidden_size, { rng, std }));
    this.layers = this.registerModule('layers', new ModuleList(Array.from({ length: c.num_hidden_layers }, () => new Qwen2DecoderLayer(c, rng, std))));
    this.norm = this.registerModule('norm', new RMSNorm(c.hidden_size, { eps: c.rms_norm_eps }));
  }
}

/** Qwen2ForCausalLM. With `tie_word_embeddings` there is no `lm_head.weight`: logits use the embedding. */
export class Qwen2ForCausalLM extends Module implements LanguageModel {
  readonly model: Qwen2Backbone;
  readonly lmHead: Linear | null;

  constructor(
    readonly config: Qwen2Config,
    opts: Qwen2InitOptions = {},
  ) {
    super();
    const rng = new Rng(opts.seed ?? 0);
    const std = opts.initStd ?? 0.02;
    this.model = this.registerModule('model', new Qwen2Backbone(config, rng, std));
    this.lmHead = config.tie_word_embeddings ? null : this.registerModule('lm_head', new Linear(config.hidden_size, config.vocab_size, { bias: false, init: 'trunc_normal', std, rng }));
  }

  get hiddenSize(): number {
    return this.config.hidden_size;
  }

  get vocabSize(): number {
    return this.config.vocab_size;
  }

  get numLayers(): number {
    return this.config.num_hidden_layers;
  }

  newCache(): KVCache {
    return new KVCache(this.config.num_hidden_layers);
  }

  embed(ids: tf.Tensor2D): tf.Tensor3D {
    if (ids.dtype !== 'int32') throw new CsiaInputError(`embed: ids must be int32, got ${ids.dtype}`);
    const max = tf.tidy(() => tf.max(ids).dataSync()[0]);
    const min = tf.tidy(() => tf.min(ids).dataSync()[0]);
    if (min < 0 || max >= this.config.vocab_size) throw new CsiaInputError(`embed: token id ${min < 0 ? min : max} is outside the vocabulary [0, ${this.config.vocab_size})`);
    return this.model.embedTokens.forward(ids) as tf.Tensor3D;
  }

  forwardHidden(inputs: LMForwardInputs): tf.Tensor3D {
    const past = inputs.cache?.length ?? 0;
    const shape = (inputs.inputsEmbeds ?? inputs.inputIds)?.shape ?? [0, 0];
    const [b, t] = shape;
    const mask = inputs.attentionMask ?? Array.from({ length: b }, () => new Array<number>(past + t).fill(1));
    checkMask(mask, b, past + t);
    const positions = positionIds(mask, t);
    return tf.tidy(() => {
      const x0 = this.inputEmbeds(inputs); // [B, T, D]
      const { cos, sin } = rotaryTables(positions, this.config.head_dim, this.config.rope_theta);
      const additive = causalPaddingMask(mask, t, past);
      let x = x0;
      for (let i = 0; i < this.config.num_hidden_layers; i++) x = this.model.layers.at(i).forward(x, cos, sin, additive, i, inputs.cache);
      return this.model.norm.forward(x) as tf.Tensor3D;
    });
  }

  forward(inputs: LMForwardInputs): LMForwardOutput {
    return tf.tidy(() => {
      const hidden = this.forwardHidden(inputs);
      return { logits: this.logitsOf(hidden) };
    });
  }

  /** hidden [B, T, D] → logits [B, T, V]. */
  logitsOf(hidden: tf.Tensor3D): tf.Tensor3D {
    if (this.lmHead) return project(this.lmHead, hidden, this.training) as tf.Tensor3D;
    const rows = hidden.shape[0] * hidden.shape[1];
    if (!this.training && rows <= SMALL_M && tf.getBackend() === 'wasm' && getAutocastPrecision() === 'fp32') {
      const [b, t, d] = hidden.shape;
      return tf.tidy(() => tf.reshape(tf.matMul(tf.reshape(hidden, [rows, d]), this.model.embedTokens.weight, false, true), [b, t, this.config.vocab_size])) as tf.Tensor3D;
    }
    return linear(hidden, this.model.embedTokens.weight) as tf.Tensor3D;
  }

  private inputEmbeds(inputs: LMForwardInputs): tf.Tensor3D {
    if ((inputs.inputIds === undefined) === (inputs.inputsEmbeds === undefined)) {
      throw new CsiaInputError('Qwen2ForCausalLM.forward: give exactly one of inputIds and inputsEmbeds');
    }
    if (inputs.inputsEmbeds) {
      const e = inputs.inputsEmbeds;
      if (e.rank !== 3 || e.shape[2] !== this.config.hidden_size) {
        throw new CsiaInputError(`inputsEmbeds must be [B, T, ${this.config.hidden_size}], got [${e.shape}]`);
      }
      return e;
    }
    return this.embed(inputs.inputIds!);
  }
}

function checkMask(mask: readonly (readonly number[])[], b: number, s: number): void {
  if (mask.length !== b) throw new CsiaInputError(`attentionMask has ${mask.length} rows for a batch of ${b}`);
  mask.forEach((row, i) => {
    if (row.length !== s) throw new CsiaInputError(`attentionMask row ${i} has ${row.length} entries, expected ${s} (cached + new positions)`);
  });
}

/** HF generate's position ids: cumsum(mask) − 1, padding positions set to 1; the last t columns. */
export function positionIds(mask: readonly (readonly number[])[], t: number): number[][] {
  return mask.map((row) => {
    let acc = 0;
    const pos = row.map((m) => {
      acc += m ? 1 : 0;
      return m ? acc - 1 : 1;
    });
    return pos.slice(pos.length - t);
  });
}

/**
 * [B, 1, T, S] additive mask: query i (absolute position past + i) sees key j when j ≤ past + i
 * and key j is not padding.
 */
export function causalPaddingMask(mask: readonly (readonly number[])[], t: number, past: number): tf.Tensor4D {
  const b = mask.length;
  const s = past + t;
  const out = new Float32Array(b * t * s);
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < t; i++) {
      for (let j = 0; j < s; j++) if (j > past + i || !mask[n][j]) out[(n * t + i) * s + j] = MASKED;
    }
  }
  return tf.tensor4d(out, [b, 1, t, s]);
}
