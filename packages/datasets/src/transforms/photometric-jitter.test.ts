import { describe, expect, it } from 'vitest';
import type { DetectionSample } from '../sample.js';
import { Prng } from '../sampling/prng.js';
import { transformItem } from './transform.js';
import { jitterRgb, photometricJitter } from './photometric-jitter.js';
import type { ChwImage } from './chw-image.js';

function item(modality: DetectionSample['modality'], channels: number, values: number[]) {
  const img: ChwImage = { data: Float32Array.from(values), width: values.length / channels, height: 1, channels };
  const s: DetectionSample = {
    id: 'j', modality, imagePath: 'j.png', width: img.width, height: 1, boxType: 'hbb',
    boxes: new Float64Array(0), labels: new Int32Array(0), difficult: new Uint8Array(0),
  };
  return transformItem(img, s);
}

describe('photometricJitter', () => {
  it('leaves SAR and IR pixels untouched (no colour jitter on physical intensities)', () => {
    const t = photometricJitter({ brightness: 0.9, contrast: 0.9, saturation: 0.9 });
    for (const m of ['sar', 'ir'] as const) {
      const it0 = item(m, 1, [10, 200, 3000]);
      const out = t.apply(it0, new Prng(5));
      expect(Array.from(out.image.data)).toEqual([10, 200, 3000]);
      expect(out.geometry.applied).toEqual([]);
    }
  });
  it('changes RGB deterministically per seed', () => {
    const t = photometricJitter();
    const rgb = item('rgb', 3, [10, 100, 200, 50, 60, 70]);
    const a = t.apply(rgb, new Prng(7)).image.data;
    expect(a).toEqual(t.apply(rgb, new Prng(7)).image.data);
    expect(a).not.toEqual(rgb.image.data);
    expect(a).not.toEqual(t.apply(rgb, new Prng(8)).image.data);
  });
  it('matches hand-computed brightness, contrast and saturation', () => {
    // 2 pixels: p0 = (100, 50, 0), p1 = (0, 50, 100); channel-first data.
    const rgb = item('rgb', 3, [100, 0, 50, 50, 0, 100]);
    const bright = jitterRgb(rgb, { brightness: 1.5, contrast: 1, saturation: 1 }).image.data;
    expect(Array.from(bright)).toEqual([150, 0, 75, 75, 0, 150]);
    // Contrast 0 → every value becomes the mean luma: lumas 0.299·100 + 0.587·50 = 59.25 and 0.587·50 + 0.114·100 = 40.75, mean 50.
    const flat = jitterRgb(rgb, { brightness: 1, contrast: 0, saturation: 1 }).image.data;
    flat.forEach((v) => expect(v).toBeCloseTo(50, 4));
    // Saturation 0 → each pixel becomes its own luma.
    const grey = jitterRgb(rgb, { brightness: 1, contrast: 1, saturation: 0 }).image.data;
    expect(Array.from(grey)).toEqual([59.25, 40.75, 59.25, 40.75, 59.25, 40.75].map((v) => expect.closeTo(v, 4)));
    // Clamped to [0, maxValue].
    expect(Math.max(...jitterRgb(rgb, { brightness: 3, contrast: 1, saturation: 1 }).image.data)).toBe(255);
  });
});
