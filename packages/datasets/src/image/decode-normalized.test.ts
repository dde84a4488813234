import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, SAMPLES } from '../testing/test-support.js';
import { decodeImage } from './decode-image.js';
import { decodeNormalized } from './decode-normalized.js';
import { DEFAULT_NORMALIZATION, normalizeImage, type NormalizationConfig } from './normalize.js';

const FILES = [
  path.join(SAMPLES, 'dota/images/P1888.png'),
  path.join(SAMPLES, 'sar/ssdd/JPEGImages/000001.jpg'),
  path.join(SAMPLES, 'ir/hit-uav/images/1_90_40_0_04880.jpg'),
  path.join(FIXTURES, 'tiff/u16.png'),
  path.join(FIXTURES, 'tiff/la8.png'),
  path.join(FIXTURES, 'tiff/i16_le.tif'),
  path.join(FIXTURES, 'tiff/f32_rgb_le.tif'),
];

const CONFIGS: Record<string, NormalizationConfig> = {
  rgb: DEFAULT_NORMALIZATION.rgb,
  grey: DEFAULT_NORMALIZATION.sar,
  greyTo3: { ...DEFAULT_NORMALIZATION.sar, outChannels: 3 },
  to1: { mean: [100.5], std: [33.3], outChannels: 1 },
};

function bits(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

describe('decodeNormalized', () => {
  it.each(FILES)('%s: bit-identical to normalizeImage(decodeImage(…)) for every configuration that applies', async (file) => {
    const img = await decodeImage(file);
    let checked = 0;
    for (const config of Object.values(CONFIGS)) {
      let expected: ReturnType<typeof normalizeImage>;
      try {
        expected = normalizeImage(img, config);
      } catch (err) {
        // Same refusal (e.g. 3-value statistics for a 1-channel image kept at 1).
        await expect(decodeNormalized(file, config)).rejects.toThrow((err as Error).message);
        continue;
      }
      const got = await decodeNormalized(file, config);
      expect([got.width, got.height, got.channels]).toEqual([expected.width, expected.height, expected.channels]);
      expect(bits(got.data).equals(bits(expected.data))).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});
