import { describe, expect, it } from 'vitest';
import { adaptChannels, DEFAULT_NORMALIZATION, normalizeImage } from './normalize.js';

describe('normalizeImage', () => {
  it('applies (x − mean) / std per channel', () => {
    const img = { data: Float32Array.from([0, 10, 20, 30, 100, 110, 120, 130]), width: 2, height: 2, channels: 2 };
    const out = normalizeImage(img, { mean: [10, 100], std: [10, 5] });
    expect(Array.from(out.data)).toEqual([-1, 0, 1, 2, 0, 2, 4, 6]);
    expect(out.channels).toBe(2);
  });

  it('expands single-channel SAR to the backbone channel count by repetition', () => {
    const img = { data: Float32Array.from([127.5, 191.25]), width: 2, height: 1, channels: 1 };
    const out = normalizeImage(img, { ...DEFAULT_NORMALIZATION.sar, outChannels: 3 });
    expect(out.channels).toBe(3);
    expect(Array.from(out.data)).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('uses ImageNet statistics for RGB by default', () => {
    const img = { data: Float32Array.from([123.675, 116.28, 103.53]), width: 1, height: 1, channels: 3 };
    for (const v of normalizeImage(img, DEFAULT_NORMALIZATION.rgb).data) expect(Math.abs(v)).toBeLessThan(1e-6);
    const white = { data: Float32Array.from([255, 255, 255]), width: 1, height: 1, channels: 3 };
    expect(normalizeImage(white, DEFAULT_NORMALIZATION.rgb).data[0]).toBeCloseTo((255 - 123.675) / 58.395, 5);
  });

  it('turns a grey image into colour when given RGB statistics (DOTA panchromatic images)', () => {
    const grey = { data: Float32Array.from([123.675, 255]), width: 2, height: 1, channels: 1 };
    const out = normalizeImage(grey, DEFAULT_NORMALIZATION.rgb);
    expect(out.channels).toBe(3);
    const [r, g, b] = DEFAULT_NORMALIZATION.rgb.mean.map((m, c) => (255 - m) / DEFAULT_NORMALIZATION.rgb.std[c]);
    expect(Array.from(out.data).map((v) => Math.round(v * 1e4) / 1e4)).toEqual(
      [0, r, (123.675 - 116.28) / 57.12, g, (123.675 - 103.53) / 57.375, b].map((v) => Math.round(Math.fround(v) * 1e4) / 1e4),
    );
    // Grey statistics keep a grey image grey.
    expect(normalizeImage(grey, DEFAULT_NORMALIZATION.sar).channels).toBe(1);
  });

  it('averages channels for a 1-channel backbone and rejects ambiguous mappings', () => {
    expect(Array.from(adaptChannels(Float32Array.from([1, 2, 3, 5, 5, 7]), 2, 3, 1))).toEqual([3, 14 / 3].map(Math.fround));
    expect(() => adaptChannels(new Float32Array(6), 2, 3, 2)).toThrow(/cannot map 3 channels to 2/);
    expect(() => normalizeImage({ data: new Float32Array(2), width: 1, height: 1, channels: 2 }, { mean: [0, 0, 0], std: [1] })).toThrow(/mean has 3 values for 2 channels/);
    expect(() => normalizeImage({ data: new Float32Array(1), width: 1, height: 1, channels: 1 }, { mean: [0], std: [0] })).toThrow(/std\[0\] must be > 0/);
  });
});
