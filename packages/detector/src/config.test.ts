import { describe, expect, it } from 'vitest';
import { DetectorConfigError, configuredModalities, detectorPreset, pyramidStrides, validateDetectorConfig, type DetectorConfig } from './config.js';

describe('detectorPreset', () => {
  it('paper: InternViT-300M-shaped trunk, layers 3/9/18/24 one-based, strides 4/8/16/32', () => {
    const c = detectorPreset('paper');
    expect(c.backbone).toMatchObject({ embedDim: 1024, depth: 24, numHeads: 16, mlpHiddenDim: 4096, layerScaleInit: 0.1 });
    expect(c.layers.map((l) => l + 1)).toEqual([3, 9, 18, 24]);
    expect(pyramidStrides(c)).toEqual([4, 8, 16, 32]);
    expect(c.imageSize).toBe(800);
    expect(c.heads).toEqual({ sar: { type: 'gfl' }, rgb: { type: 'rotated-fcos' }, ir: { type: 'rotated-fcos' } });
  });

  it('tiny and small validate and are JSON round-trippable', () => {
    for (const name of ['tiny', 'small'] as const) {
      const c = detectorPreset(name);
      expect(JSON.parse(JSON.stringify(c))).toEqual(c);
      expect(configuredModalities(c)).toEqual(['sar', 'rgb', 'ir']);
    }
    expect(pyramidStrides(detectorPreset('tiny'))).toEqual([2, 4, 8, 16]);
  });

  it('overrides replace top-level fields', () => {
    const c = detectorPreset('tiny', { imageSize: 64, heads: { sar: { type: 'gfl' } } });
    expect(c.imageSize).toBe(64);
    expect(configuredModalities(c)).toEqual(['sar']);
  });

  it('a head override of the same type without options keeps the preset head options; another type does not', () => {
    const c = detectorPreset('tiny', { heads: { sar: { type: 'gfl' }, rgb: { type: 'gfl' }, ir: { type: 'rotated-fcos', options: { stackedConvs: 4 } } } });
    expect(c.heads.sar).toEqual({ type: 'gfl', options: { featChannels: 32, stackedConvs: 2, anchorScale: 4 } });
    expect(c.heads.rgb).toEqual({ type: 'gfl' });
    expect(c.heads.ir).toEqual({ type: 'rotated-fcos', options: { stackedConvs: 4 } });
  });

  it('rejects an unknown preset', () => {
    expect(() => detectorPreset('huge' as never)).toThrow(/unknown detector preset "huge".*tiny, small, paper/);
  });
});

describe('validateDetectorConfig', () => {
  const base = (): DetectorConfig => detectorPreset('tiny');
  const bad: Array<[string, (c: DetectorConfig) => void, RegExp]> = [
    ['backbone.numHeads', (c) => (c.backbone.numHeads = 5), /embedDim 96 is not divisible by numHeads 5/],
    ['imageSize', (c) => (c.imageSize = 100), /not a multiple of backbone.patchSize 8/],
    ['layers', (c) => (c.layers = [0, 2]), /must end with the last block 3/],
    ['layers[1]', (c) => (c.layers = [2, 1, 3]), /strictly increasing/],
    ['layers[0]', (c) => (c.layers = [7]), /out of range 0..3/],
    ['fusion.name', (c) => (c.fusion = { name: 'max' as never }), /expected one of/],
    ['neck.scaleFactors[0]', (c) => (c.neck.scaleFactors = [3]), /expected one of 4, 2, 1, 0.5/],
    ['heads.radar', (c) => ((c.heads as Record<string, unknown>).radar = { type: 'gfl' }), /unknown modality/],
    ['heads.sar.type', (c) => ((c.heads.sar as { type: unknown }).type = 3), /expected a head type name/],
    ['classes.rgb[1]', (c) => (c.classes = { rgb: ['plane', 'boat'] }), /"boat" is not a rgb class/],
    ['classes.ir[1]', (c) => (c.classes = { ir: ['car', 'car'] }), /appears twice/],
  ];
  for (const [path, mutate, message] of bad) {
    it(`names ${path}`, () => {
      const c = base();
      mutate(c);
      let err: unknown;
      try {
        validateDetectorConfig(c);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DetectorConfigError);
      expect((err as DetectorConfigError).path).toBe(path);
      expect((err as Error).message).toMatch(message);
    });
  }
});
