// ViT architecture presets as plain data (timm's named configs, and InternViT-300M, the vision
// encoder of InternVL-2.5-1B that BabelRS pretrains). `new ViT(preset)` takes one of these; an
// ablation overrides a few fields.
import { VitShapeError } from './errors.js';
import type { VitConfig } from './vit-config.js';

/** A named `VitConfig` plus where its numbers come from. */
export interface VitPreset extends VitConfig {
  source: string;
}

const timmViT = (embedDim: number, depth: number, numHeads: number, name: string): VitPreset => ({
  embedDim,
  depth,
  numHeads,
  mlpHiddenDim: embedDim * 4,
  patchSize: 16,
  imgSize: 224,
  inChannels: 3,
  qkvBias: true,
  numPrefixTokens: 1,
  layerNormEps: 1e-6,
  layerScaleInit: null,
  source: `timm ${name}`,
});

export const VIT_PRESETS = {
  'vit-tiny': timmViT(192, 12, 3, 'vit_tiny_patch16_224'),
  'vit-small': timmViT(384, 12, 6, 'vit_small_patch16_224'),
  'vit-base': timmViT(768, 12, 12, 'vit_base_patch16_224'),
  'vit-large': timmViT(1024, 24, 16, 'vit_large_patch16_224'),
  'internvit-300m': {
    embedDim: 1024,
    depth: 24,
    numHeads: 16,
    mlpHiddenDim: 4096,
    patchSize: 14,
    imgSize: 448,
    inChannels: 3,
    qkvBias: true,
    numPrefixTokens: 1,
    layerNormEps: 1e-6,
    // InternViT blocks scale both residual branches by ls1/ls2 = initializer_factor (0.1).
    layerScaleInit: 0.1,
    // InternViT has no final norm after its last block.
    finalNorm: false,
    source: 'OpenGVLab InternViT-300M-448px (InternVisionConfig)',
  },
} as const satisfies Record<string, VitPreset>;

export type VitPresetName = keyof typeof VIT_PRESETS;

/** Patch grid [rows, cols] for an image of heightPx × widthPx pixels. */
export function patchGrid(patchSize: number, heightPx: number, widthPx: number = heightPx): [number, number] {
  for (const [what, px] of [['height', heightPx], ['width', widthPx]] as const) {
    if (!Number.isInteger(px) || px <= 0 || px % patchSize !== 0) {
      throw new VitShapeError(`image ${what} ${px} px is not a positive multiple of the patch size ${patchSize}`);
    }
  }
  return [heightPx / patchSize, widthPx / patchSize];
}

/** A preset by name, with optional overrides; unknown names list the known ones. */
export function vitPreset(name: string, overrides: Partial<VitPreset> = {}): VitPreset {
  if (!Object.hasOwn(VIT_PRESETS, name)) {
    throw new VitShapeError(`unknown ViT preset '${name}' (known: ${Object.keys(VIT_PRESETS).join(', ')})`);
  }
  const preset: VitPreset = { ...VIT_PRESETS[name as VitPresetName], ...overrides };
  if (preset.embedDim % preset.numHeads !== 0) {
    throw new VitShapeError(`embedDim ${preset.embedDim} is not divisible by numHeads ${preset.numHeads}`);
  }
  return preset;
}
