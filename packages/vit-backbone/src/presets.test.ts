import { describe, expect, it } from 'vitest';
import { patchGrid, VIT_PRESETS, vitPreset } from './presets.js';

describe('ViT presets', () => {
  it('carry the published sizes', () => {
    const sizes = Object.fromEntries(Object.entries(VIT_PRESETS).map(([k, p]) => [k, [p.embedDim, p.depth, p.numHeads, p.patchSize, p.imgSize]]));
    expect(sizes).toEqual({
      'vit-tiny': [192, 12, 3, 16, 224],
      'vit-small': [384, 12, 6, 16, 224],
      'vit-base': [768, 12, 12, 16, 224],
      'vit-large': [1024, 24, 16, 16, 224],
      'internvit-300m': [1024, 24, 16, 14, 448],
    });
    expect(VIT_PRESETS['internvit-300m'].mlpHiddenDim).toBe(4096);
  });

  it('InternViT-300M at 448 px has a 32×32 grid (1024 tokens; 256 after 0.5 pixel shuffle)', () => {
    const p = vitPreset('internvit-300m');
    expect(patchGrid(p.patchSize, p.imgSize)).toEqual([32, 32]);
    expect(patchGrid(16, 224, 320)).toEqual([14, 20]);
  });

  it('applies overrides and reports bad names and shapes', () => {
    expect(vitPreset('vit-tiny', { inChannels: 1 }).inChannels).toBe(1);
    expect(() => vitPreset('vit-huge')).toThrow(/unknown ViT preset 'vit-huge' \(known: vit-tiny, vit-small/);
    expect(() => vitPreset('vit-tiny', { numHeads: 5 })).toThrow(/not divisible by numHeads 5/);
    expect(() => patchGrid(14, 220)).toThrow(/height 220 px is not a positive multiple of the patch size 14/);
  });
});
