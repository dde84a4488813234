// Test helper: the smallest detector that still has every part (2-block ViT, 2-layer fusion,
// 2-level pyramid, a GFL and two rotated FCOS heads), for step-level tests that must stay fast.
import { detectorPreset, type DetectorConfig } from '../config.js';

export function microConfig(overrides: Partial<DetectorConfig> = {}): DetectorConfig {
  const head = { featChannels: 16, stackedConvs: 1 };
  return detectorPreset('tiny', {
    imageSize: 48,
    backbone: { embedDim: 32, depth: 2, numHeads: 2, mlpHiddenDim: 64, patchSize: 8, qkvBias: true, numPrefixTokens: 0, layerNormEps: 1e-6, layerScaleInit: null },
    layers: [0, 1],
    fusion: { name: 'lvsa', tau: 10 },
    neck: { outChannels: 16, scaleFactors: [1, 0.5] },
    heads: { sar: { type: 'gfl', options: head }, rgb: { type: 'rotated-fcos', options: head }, ir: { type: 'rotated-fcos', options: head } },
    ...overrides,
  });
}
