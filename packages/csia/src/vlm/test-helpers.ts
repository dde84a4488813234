// Tiny configurations shared by the tests of this package (not exported from the index).
import type { VitConfig } from '@babelrs/vit-backbone';
import { parseQwen2Config } from '../lm/qwen2-config.js';
import type { VlmConfig } from './vlm.js';

export const TEST_VIT: VitConfig = {
  embedDim: 16,
  depth: 2,
  numHeads: 2,
  mlpHiddenDim: 32,
  patchSize: 8,
  imgSize: 32,
  inChannels: 3,
  qkvBias: true,
  numPrefixTokens: 0,
  layerNormEps: 1e-6,
  layerScaleInit: null,
};

export function testVlmConfig(vocabSize: number, imageTokenId: number, over: Partial<VlmConfig> = {}): VlmConfig {
  const lm = parseQwen2Config({ vocab_size: vocabSize, hidden_size: 24, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, tie_word_embeddings: true });
  return { vit: TEST_VIT, taps: [0, 1], fusion: { name: 'lvsa', tau: 4 }, projector: { type: 'pixel-shuffle-mlp', scale: 0.5 }, lm, imageTokenId, ...over };
}
