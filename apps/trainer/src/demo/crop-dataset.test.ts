import { describe, expect, it } from 'vitest';
import { DEFAULT_NORMALIZATION, type DetectionSample } from '@babelrs/datasets';
import { buildConceptVocabulary } from './concept-vocabulary.js';
import { buildCropDataset, cropResize, objectHbbs } from './crop-dataset.js';

/** 1-channel W×H image whose pixel (x, y) holds f(x, y). */
function image(width: number, height: number, f: (x: number, y: number) => number, channels = 1) {
  const data = new Float32Array(width * height * channels);
  for (let c = 0; c < channels; c++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[(c * height + y) * width + x] = f(x, y) + 1000 * c;
  return { data, width, height, channels };
}

function sample(over: Partial<DetectionSample>): DetectionSample {
  return { id: 'sar/test/a', modality: 'sar', imagePath: '/nowhere/a.png', width: 16, height: 16, boxType: 'hbb', boxes: new Float64Array(0), labels: new Int32Array(0), difficult: new Uint8Array(0), ...over };
}

describe('cropResize', () => {
  it('copies the pixels of an integer-aligned box whose size equals the crop size', () => {
    const img = image(10, 10, (x, y) => x + 10 * y);
    // Box [2, 3, 6, 7] covers pixels x = 2..5, y = 3..6.
    const crop = cropResize(img, [2, 3, 6, 7], 4);
    expect(Array.from(crop)).toEqual([32, 33, 34, 35, 42, 43, 44, 45, 52, 53, 54, 55, 62, 63, 64, 65]);
  });

  it('samples a linear ramp exactly at the half-pixel centres of a fractional box', () => {
    // Bilinear interpolation reproduces a linear function, so every output equals f at the
    // sampling point x = x1 + (j + ½)·w/S − ½, y = y1 + (i + ½)·h/S − ½.
    const f = (x: number, y: number) => 3 * x - 2 * y + 7;
    const img = image(32, 32, f, 2);
    const [x1, y1, x2, y2] = [5.3, 8.7, 17.9, 13.2];
    const S = 6;
    const crop = cropResize(img, [x1, y1, x2, y2], S);
    for (let c = 0; c < 2; c++) {
      for (let i = 0; i < S; i++) {
        for (let j = 0; j < S; j++) {
          const x = x1 + ((j + 0.5) * (x2 - x1)) / S - 0.5;
          const y = y1 + ((i + 0.5) * (y2 - y1)) / S - 0.5;
          expect(crop[(c * S + i) * S + j]).toBeCloseTo(f(x, y) + 1000 * c, 3);
        }
      }
    }
  });

  it('clamps taps outside the image to the border pixel', () => {
    const img = image(4, 4, (x, y) => x + 10 * y);
    // Box [-2, 2, 0, 2] lies left of the image: x taps −2 and −1 clamp to column 0; the
    // zero-height box samples y = 2 − ½ = 1.5, halfway between rows 1 and 2 → 0 + 10·1.5.
    expect(Array.from(cropResize(img, [-2, 2, 0, 2], 2))).toEqual([15, 15, 15, 15]);
  });

  it('rejects an inverted or non-finite box and a bad size', () => {
    const img = image(4, 4, () => 0);
    expect(() => cropResize(img, [3, 0, 1, 2], 2)).toThrow(/x2 ≥ x1/);
    expect(() => cropResize(img, [0, 0, Number.NaN, 2], 2)).toThrow(/finite/);
    expect(() => cropResize(img, [0, 0, 2, 2], 0)).toThrow(/size must be a positive integer/);
  });
});

describe('objectHbbs', () => {
  it('passes SAR HBBs through, clipped to the image', () => {
    const s = sample({ boxes: new Float64Array([-3, 2, 5, 20]), labels: new Int32Array([0]), difficult: new Uint8Array(1) });
    expect(Array.from(objectHbbs(s))).toEqual([0, 2, 5, 16]);
  });

  it('encloses an oriented box: w=8, h=4 turned by 90° stands 4 wide and 8 tall', () => {
    const s = sample({ modality: 'rgb', boxType: 'obb', boxes: new Float64Array([10, 10, 8, 4, Math.PI / 2, 5, 5, 6, 2, 0]), labels: new Int32Array([8, 8]), difficult: new Uint8Array(2) });
    const h = Array.from(objectHbbs(s));
    [8, 6, 12, 14, 2, 4, 8, 6].forEach((v, k) => expect(h[k]).toBeCloseTo(v, 9));
  });
});

describe('buildCropDataset', () => {
  const vocab = buildConceptVocabulary();

  it('crops every box in sample-then-box order, normalises per modality and repeats SAR to 3 channels', async () => {
    const sar = sample({ boxes: new Float64Array([0, 0, 2, 2, 4, 4, 6, 6]), labels: new Int32Array([0, 1]), difficult: new Uint8Array(2) });
    const rgb = sample({ id: 'rgb/test/b', modality: 'rgb', boxType: 'obb', width: 8, height: 8, boxes: new Float64Array([3, 3, 2, 2, 0]), labels: new Int32Array([7]), difficult: new Uint8Array(1) });
    const images = new Map<DetectionSample, ReturnType<typeof image>>([
      [sar, image(16, 16, (x, y) => x + 16 * y)],
      [rgb, image(8, 8, () => 100, 3)],
    ]);
    const ds = await buildCropDataset([sar, rgb], { size: 2, vocabulary: vocab, decode: async (s) => images.get(s)! });
    expect(ds.items.map((it) => [it.sampleIndex, it.boxIndex, it.modality, it.label])).toEqual([
      [0, 0, 'sar', 0],
      [0, 1, 'sar', 1],
      [1, 0, 'rgb', 7],
    ]);
    // SAR `ship` (unified 0) and DOTA `ship` (unified 7) are different classes but ONE concept.
    expect(vocab.concepts[ds.items[0].concept]).toBe('ship');
    expect(ds.items[2].concept).toBe(ds.items[0].concept);
    expect(vocab.concepts[ds.items[1].concept]).toBe('aircraft');
    expect(ds.pixels.length).toBe(3 * 3 * 2 * 2);
    // SAR box 0 = pixels (0..1, 0..1) = [0, 1, 16, 17]; (v − 127.5) / 63.75, same in all 3 channels.
    const norm = (v: number) => (v - 127.5) / 63.75;
    const first = Array.from(ds.pixels.subarray(0, 12));
    [0, 1, 16, 17, 0, 1, 16, 17, 0, 1, 16, 17].forEach((v, k) => expect(first[k]).toBeCloseTo(norm(v), 5));
    // RGB crop: channel c holds 100 + 1000c, normalised with the ImageNet statistics.
    const rgbCrop = Array.from(ds.pixels.subarray(24, 36));
    const { mean, std } = DEFAULT_NORMALIZATION.rgb;
    for (let c = 0; c < 3; c++) for (let k = 0; k < 4; k++) expect(rgbCrop[c * 4 + k]).toBeCloseTo((100 + 1000 * c - mean[c]) / std[c], 4);
  });

  it('names the image when the decoded size disagrees with the annotation', async () => {
    const s = sample({ boxes: new Float64Array([0, 0, 2, 2]), labels: new Int32Array([0]), difficult: new Uint8Array(1) });
    await expect(buildCropDataset([s], { vocabulary: vocab, decode: async () => image(8, 8, () => 0) })).rejects.toThrow(/\/nowhere\/a\.png: decoded image is 8×8, annotations say 16×16/);
  });
});
