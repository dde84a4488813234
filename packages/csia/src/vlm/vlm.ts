// The stage-1 vision-language model: shared ViT → taps → layer fusion (LVSA α(t) from the step)
// → projector → Qwen2 LM, with the visual tokens spliced in at the `<IMG_CONTEXT>` positions of
// the prompt (InternVL's `input_embeds[selected] = vit_embeds`). Child names follow InternVL's
// checkpoint: `vision_model.*` (here with timm keys), `mlp1.*`, `language_model.*`.
import * as tf from '@tensorflow/tfjs';
import { Module } from '@babelrs/core';
import { createLayerFusion, type LayerFusion } from '@babelrs/lvsa';
import { ViT, type VitConfig } from '@babelrs/vit-backbone';
import { CsiaInputError } from '../errors.js';
import type { LanguageModel } from '../lm/language-model.js';
import { parseQwen2Config, type Qwen2Config } from '../lm/qwen2-config.js';
import { Qwen2ForCausalLM } from '../lm/qwen2-model.js';
import { Projector, type ProjectorConfig } from './projector.js';

/** Everything that defines the architecture, as plain JSON (saved as the VLM's config.json). */
export interface VlmConfig {
  vit: VitConfig;
  /** 0-based ViT blocks fed to the fusion, the last block LAST (e.g. [1, 3, 5] of a depth-6 ViT). */
  taps: number[];
  /** @babelrs/lvsa fusion: 'last' | 'concat' | 'sum' | 'mean' | 'lvsa' (τ, ramp) | 'per-layer-projectors'. */
  fusion: Exclude<Parameters<typeof createLayerFusion>[0], string>;
  projector: ProjectorConfig;
  /** HF config.json fields of the Qwen2 LM. */
  lm: Qwen2Config;
  /** Token id of `<IMG_CONTEXT>` in the tokenizer the LM uses. */
  imageTokenId: number;
}

export class VisionLanguageModel extends Module {
  readonly vit: ViT;
  readonly projector: Projector;
  readonly lm: LanguageModel;
  readonly fusion: LayerFusion;

  /**
   * `languageModel`: another `LanguageModel` implementation to use instead of building the Qwen2
   * of `config.lm` (its hidden size must equal `config.lm.hidden_size`).
   */
  constructor(
    readonly config: VlmConfig,
    opts: { seed?: number; languageModel?: LanguageModel } = {},
  ) {
    super();
    const seed = opts.seed ?? 0;
    if (config.taps.length === 0) throw new CsiaInputError('VlmConfig.taps: at least one ViT block (the last one last)');
    if (config.taps[config.taps.length - 1] !== Math.max(...config.taps)) throw new CsiaInputError(`VlmConfig.taps [${config.taps}]: the deepest block must come last (LVSA's F_L)`);
    const lmConfig = parseQwen2Config(config.lm as unknown as Record<string, unknown>, 'VlmConfig.lm');
    if (!(Number.isInteger(config.imageTokenId) && config.imageTokenId >= 0 && config.imageTokenId < lmConfig.vocab_size)) {
      throw new CsiaInputError(`VlmConfig.imageTokenId ${config.imageTokenId} is outside the LM vocabulary [0, ${lmConfig.vocab_size})`);
    }
    this.vit = this.registerModule('vision_model', new ViT(config.vit, { seed }));
    this.fusion = this.registerModule('fusion', createLayerFusion(config.fusion, { channels: config.vit.embedDim, numLayers: config.taps.length, seed: seed + 3 }));
    this.projector = this.registerModule('mlp1', new Projector(config.projector, this.fusion.outChannels, lmConfig.hidden_size, { seed: seed + 1 }));
    const lm = opts.languageModel ?? new Qwen2ForCausalLM(lmConfig, { seed: seed + 2 });
    if (lm.hiddenSize !== lmConfig.hidden_size) throw new CsiaInputError(`languageModel has hidden size ${lm.hiddenSize}, config.lm.hidden_size is ${lmConfig.hidden_size}`);
    this.lm = this.registerModule('language_model', lm);
  }

  /** Visual tokens per image at the configured image size. */
  get numImageTokens(): number {
    const g = this.config.vit.imgSize / this.config.vit.patchSize;
    return this.projector.tokensFor([g, g]);
  }

  /** images [B, 3, H, W] → visual tokens in the LM's embedding space [B, Nv, hidden]. */
  encodeImages(images: tf.Tensor4D, step: number): tf.Tensor3D {
    return tf.tidy(() => {
      const { taps, grid } = this.vit.forwardTaps(images, this.config.taps); // each [B, N, D]
      const fused = this.fusion.fuse(taps, step) as tf.Tensor3D; // [B, N, C]
      return this.projector.forward(fused, grid); // [B, Nv, hidden]
    });
  }

  /**
   * Text embeddings of `inputIds` ([B·T] row-major, host array) with row b's `<IMG_CONTEXT>`
   * positions replaced, in order, by the visual tokens of image b. → [B, T, hidden].
   */
  spliceEmbeddings(visual: tf.Tensor3D, inputIds: Int32Array, batchSize: number, seqLen: number): tf.Tensor3D {
    const [b, nv, d] = visual.shape;
    if (b !== batchSize) throw new CsiaInputError(`spliceEmbeddings: ${b} images for ${batchSize} sequences`);
    if (inputIds.length !== batchSize * seqLen) throw new CsiaInputError(`spliceEmbeddings: ${inputIds.length} ids for [${batchSize}, ${seqLen}]`);
    // Row index into [text rows (B·T) ; visual rows (B·Nv)] for every output position.
    const index = new Int32Array(batchSize * seqLen);
    for (let i = 0; i < batchSize; i++) {
      let k = 0;
      for (let t = 0; t < seqLen; t++) {
        const pos = i * seqLen + t;
        index[pos] = inputIds[pos] === this.config.imageTokenId ? batchSize * seqLen + i * nv + k++ : pos;
      }
      if (k !== nv) throw new CsiaInputError(`sequence ${i} holds ${k} <IMG_CONTEXT> tokens, the image gives ${nv} visual tokens`);
    }
    return tf.tidy(() => {
      const ids = tf.tensor2d(inputIds, [batchSize, seqLen], 'int32');
      const text = tf.reshape(this.lm.embed(ids), [batchSize * seqLen, d]);
      const rows = tf.concat([text, tf.reshape(visual, [b * nv, d])], 0); // [B·T + B·Nv, D]
      return tf.reshape(tf.gather(rows, tf.tensor1d(index, 'int32')), [batchSize, seqLen, d]) as tf.Tensor3D;
    });
  }

  /** Logits [B, T, V] for packed sequences whose prompts hold the image placeholders. */
  forward(inputs: { images: tf.Tensor4D; inputIds: Int32Array; batchSize: number; seqLen: number; attentionMask?: number[][]; step: number }): tf.Tensor3D {
    return tf.tidy(() => {
      const visual = this.encodeImages(inputs.images, inputs.step);
      const embeds = this.spliceEmbeddings(visual, inputs.inputIds, inputs.batchSize, inputs.seqLen);
      return this.lm.forward({ inputsEmbeds: embeds, attentionMask: inputs.attentionMask }).logits;
    });
  }
}
