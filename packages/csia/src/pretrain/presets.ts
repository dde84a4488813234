// Named configurations of the stage-1 model and its training run. `tiny` is sized for a CPU
// (mini-SOI at 64 px, a few minutes of training); `internvl-2.5-1b` is the paper's shape
// (InternViT-300M + Qwen2.5-0.5B), for users with the weights and the compute.
import { vitPreset, type VitConfig } from '@babelrs/vit-backbone';
import { QWEN2_5_0_5B, type Qwen2Config } from '../lm/qwen2-config.js';
import type { VlmConfig } from '../vlm/vlm.js';

export type CsiaPresetName = 'tiny' | 'internvl-2.5-1b';

export interface CsiaPreset {
  /** The VLM without the tokenizer-dependent fields (vocab size, image token id). */
  model: Omit<VlmConfig, 'imageTokenId' | 'lm'> & { lm: Omit<Qwen2Config, 'vocab_size'> };
  imageSize: number;
  train: { steps: number; batchSize: number; lr: number; warmupSteps: number; weightDecay: number; clipNorm: number };
}

// Same shapes as @babelrs/detector's 'tiny' backbone, so the stage-1 export initialises it.
const TINY_VIT: VitConfig = {
  embedDim: 96,
  depth: 4,
  numHeads: 3,
  mlpHiddenDim: 384,
  patchSize: 8,
  imgSize: 64,
  inChannels: 3,
  qkvBias: true,
  numPrefixTokens: 0,
  layerNormEps: 1e-6,
  layerScaleInit: null,
};

/** InternVL-2.5-1B's vision encoder: vit-backbone's preset (no final norm), without its `source`. */
const { source: _internVitSource, ...INTERN_VIT_300M } = vitPreset('internvit-300m');

export function csiaPreset(name: CsiaPresetName): CsiaPreset {
  if (name === 'tiny') {
    return {
      imageSize: 64,
      model: {
        vit: TINY_VIT,
        taps: [0, 1, 3], // scaled paper set (3, 9, 18, 24 of 24) on 4 blocks, last block last
        fusion: { name: 'lvsa', tau: 50, ramp: 'linear' },
        projector: { type: 'pixel-shuffle-mlp', scale: 0.5 },
        lm: {
          model_type: 'qwen2',
          hidden_size: 128,
          intermediate_size: 256,
          num_hidden_layers: 2,
          num_attention_heads: 4,
          num_key_value_heads: 2,
          head_dim: 32,
          max_position_embeddings: 512,
          rope_theta: 10000,
          rms_norm_eps: 1e-6,
          tie_word_embeddings: true,
          attention_bias: true,
          hidden_act: 'silu',
        },
      },
      train: { steps: 150, batchSize: 12, lr: 2e-3, warmupSteps: 10, weightDecay: 0.05, clipNorm: 1 },
    };
  }
  if (name === 'internvl-2.5-1b') {
    const { vocab_size: _v, ...lm } = QWEN2_5_0_5B;
    return {
      imageSize: 448,
      model: { vit: INTERN_VIT_300M, taps: [2, 8, 17, 23], fusion: { name: 'lvsa', tau: 6000, ramp: 'linear' }, projector: { type: 'pixel-shuffle-mlp', scale: 0.5 }, lm },
      train: { steps: 20000, batchSize: 128, lr: 2e-5, warmupSteps: 600, weightDecay: 0.05, clipNorm: 1 },
    };
  }
  throw new Error(`unknown CSIA preset "${String(name)}" (tiny, internvl-2.5-1b)`);
}

/** The full VlmConfig of a preset for a tokenizer (vocab size and `<IMG_CONTEXT>` id). */
export function vlmConfigFor(preset: CsiaPreset, tokenizer: { vocabSize: number; tokenId(t: string): number }): VlmConfig {
  return { ...preset.model, lm: { ...preset.model.lm, vocab_size: tokenizer.vocabSize }, imageTokenId: tokenizer.tokenId('<IMG_CONTEXT>') };
}
