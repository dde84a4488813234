import { describe, expect, it } from 'vitest';
import { obbToPoly } from '@babelrs/boxes';
import type { DetectionSample } from '../sample.js';
import { Prng } from '../sampling/prng.js';
import { createChwImage, type ChwImage } from './chw-image.js';
import { applyTransforms, boxesToOriginal, transformItem, type Transform } from './transform.js';
import { resizePad } from './resize-pad.js';
import { flip, randomFlip, type FlipDirection } from './flip.js';
import { randomRot90, rot90, type Rot90K } from './rot90.js';
import { buildPipeline, soiDetTestPipeline, soiDetTrainPipeline } from './transform-spec.js';
import { pad } from './pad.js';

function sample(boxType: 'hbb' | 'obb', boxes: number[], width: number, height: number, modality: DetectionSample['modality'] = 'rgb'): DetectionSample {
  const n = boxes.length / (boxType === 'hbb' ? 4 : 5);
  return {
    id: 't', modality, imagePath: 't.png', width, height, boxType,
    boxes: Float64Array.from(boxes), labels: new Int32Array(n), difficult: new Uint8Array(n),
  };
}

/** Corners (+ centre) of each box as points: [box][point] = [x, y]. */
function boxPoints(s: DetectionSample): [number, number][][] {
  const out: [number, number][][] = [];
  const b = s.boxes;
  if (s.boxType === 'hbb') {
    for (let i = 0; i < b.length; i += 4) {
      out.push([[b[i], b[i + 1]], [b[i + 2], b[i + 1]], [b[i + 2], b[i + 3]], [b[i], b[i + 3]], [(b[i] + b[i + 2]) / 2, (b[i + 1] + b[i + 3]) / 2]]);
    }
  } else {
    const p = obbToPoly(b);
    for (let i = 0; i < b.length / 5; i++) {
      const pts: [number, number][] = [];
      for (let k = 0; k < 4; k++) pts.push([p[i * 8 + 2 * k], p[i * 8 + 2 * k + 1]]);
      pts.push([b[i * 5], b[i * 5 + 1]]);
      out.push(pts);
    }
  }
  return out;
}

/** One channel per box; its corners and centre painted as 1 in that channel. */
function paintMarks(s: DetectionSample): ChwImage {
  const pts = boxPoints(s);
  const img = createChwImage(s.width, s.height, pts.length);
  pts.forEach((box, c) => {
    for (const [x, y] of box) img.data[c * s.width * s.height + Math.floor(y) * s.width + Math.floor(x)] = 1;
  });
  return img;
}

/** Max of channel c in the (2r+1)² window around the pixel holding (x, y). */
function windowMax(img: ChwImage, c: number, x: number, y: number, r: number): number {
  let m = 0;
  for (let yy = Math.floor(y) - r; yy <= Math.floor(y) + r; yy++) {
    for (let xx = Math.floor(x) - r; xx <= Math.floor(x) + r; xx++) {
      if (xx < 0 || yy < 0 || xx >= img.width || yy >= img.height) continue;
      m = Math.max(m, img.data[c * img.width * img.height + yy * img.width + xx]);
    }
  }
  return m;
}

/** The commutation property: marks land on the transformed boxes' corners, and nowhere else. */
function expectMarksFollowBoxes(t: Transform, s: DetectionSample, threshold: number, slackPx: number): void {
  const out = t.apply(transformItem(paintMarks(s), s), new Prng(1));
  expect(out.image.width).toBe(out.sample.width);
  expect(out.image.height).toBe(out.sample.height);
  const pts = boxPoints(out.sample);
  pts.forEach((box, c) => {
    for (const [x, y] of box) expect(windowMax(out.image, c, x, y, 1), `box ${c} point (${x.toFixed(2)}, ${y.toFixed(2)})`).toBeGreaterThan(threshold);
    // Converse: every marked pixel is near one of this box's transformed points.
    const { width: w, height: h } = out.image;
    for (let yy = 0; yy < h; yy++) {
      for (let xx = 0; xx < w; xx++) {
        if (out.image.data[c * w * h + yy * w + xx] <= threshold) continue;
        const d = Math.min(...box.map(([px, py]) => Math.max(Math.abs(px - (xx + 0.5)), Math.abs(py - (yy + 0.5)))));
        expect(d, `stray mark at (${xx}, ${yy}) in channel ${c}`).toBeLessThanOrEqual(slackPx);
      }
    }
  });
}

// Non-square, odd-sized image; boxes well apart, corners off the integer grid.
const W = 41;
const H = 29;
const OBB = sample('obb', [12.3, 10.7, 14.2, 6.4, 0.41, 29.6, 18.2, 10.6, 5.1, -1.2, 20.1, 22.4, 7.3, 3.9, 1.5], W, H);
const HBB = sample('hbb', [3.3, 4.6, 15.2, 11.7, 22.4, 13.1, 37.8, 25.5], W, H, 'sar');

describe('transforms commute with painting box corners', () => {
  const exact: [string, Transform][] = [
    ...(['horizontal', 'vertical', 'diagonal'] as FlipDirection[]).map((d) => [`flip ${d}`, flip(d)] as [string, Transform]),
    ...([1, 2, 3] as Rot90K[]).map((k) => [`rot90 k=${k}`, rot90(k)] as [string, Transform]),
  ];
  for (const [name, t] of exact) {
    it(`${name} (OBB)`, () => expectMarksFollowBoxes(t, OBB, 0.5, 1));
    it(`${name} (HBB)`, () => expectMarksFollowBoxes(t, HBB, 0.5, 1));
  }
  // Bilinear resampling spreads a mark over its neighbours: lower threshold, 1.5 px slack.
  for (const maxSide of [82, 30]) {
    it(`resizePad to ${maxSide} (OBB)`, () => expectMarksFollowBoxes(resizePad({ maxSide }), OBB, 0.1, 1.5 * Math.max(1, maxSide / W)));
    it(`resizePad to ${maxSide} (HBB)`, () => expectMarksFollowBoxes(resizePad({ maxSide }), HBB, 0.1, 1.5 * Math.max(1, maxSide / W)));
  }
  it('pad (OBB)', () => expectMarksFollowBoxes(pad({ width: 50, height: 40 }), OBB, 0.5, 1));
  it('a composed pipeline (rot90 ∘ flip ∘ resize)', () => {
    expectMarksFollowBoxes(buildPipeline([{ type: 'resizePad', maxSide: 60 }, { type: 'flip', direction: 'horizontal' }, { type: 'rot90', k: 3 }]), OBB, 0.1, 2);
  });
});

describe('box updates (hand-computed)', () => {
  const one = sample('obb', [10, 5, 8, 4, 0.3], 40, 20);
  it('horizontal flip negates the angle and mirrors cx', () => {
    const out = flip('horizontal').apply(transformItem(createChwImage(40, 20, 1), one), new Prng(0));
    expect(Array.from(out.sample.boxes)).toEqual([30, 5, 8, 4, -0.3].map((v) => expect.closeTo(v, 12)));
  });
  it('vertical flip negates the angle and mirrors cy', () => {
    const out = flip('vertical').apply(transformItem(createChwImage(40, 20, 1), one), new Prng(0));
    expect(Array.from(out.sample.boxes)).toEqual([10, 15, 8, 4, -0.3].map((v) => expect.closeTo(v, 12)));
  });
  it('rot90 k=1 maps (x, y) → (y, W − x) and θ → θ − π/2, swapping the image sides', () => {
    const out = rot90(1).apply(transformItem(createChwImage(40, 20, 1), one), new Prng(0));
    expect(out.sample.width).toBe(20);
    expect(out.sample.height).toBe(40);
    expect(Array.from(out.sample.boxes)).toEqual([5, 30, 8, 4, 0.3 - Math.PI / 2].map((v) => expect.closeTo(v, 12)));
  });
  it('rot90 k=1 re-normalises to le90 when θ − π/2 leaves [−π/2, π/2)', () => {
    const s = sample('obb', [10, 5, 8, 4, -0.3], 40, 20);
    const out = rot90(1).apply(transformItem(createChwImage(40, 20, 1), s), new Prng(0));
    // −0.3 − π/2 < −π/2 → add π.
    expect(out.sample.boxes[4]).toBeCloseTo(-0.3 + Math.PI / 2, 12);
  });
  it('rot90 of an HBB', () => {
    const s = sample('hbb', [2, 3, 10, 7], 40, 20);
    const out = rot90(1).apply(transformItem(createChwImage(40, 20, 1), s), new Prng(0));
    expect(Array.from(out.sample.boxes)).toEqual([3, 30, 7, 38]);
  });
  it('rot90 image layout matches numpy.rot90', () => {
    // [[1, 2, 3], [4, 5, 6]] → np.rot90 → [[3, 6], [2, 5], [1, 4]]
    const img: ChwImage = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), width: 3, height: 2, channels: 1 };
    const s = sample('hbb', [], 3, 2);
    expect(Array.from(rot90(1).apply(transformItem(img, s), new Prng(0)).image.data)).toEqual([3, 6, 2, 5, 1, 4]);
    // k=3: [[4, 1], [5, 2], [6, 3]]
    expect(Array.from(rot90(3).apply(transformItem(img, s), new Prng(0)).image.data)).toEqual([4, 1, 5, 2, 6, 3]);
  });
  it('resizePad records scale and padding, and boxesToOriginal undoes it', () => {
    const s = sample('hbb', [10, 5, 30, 45], 100, 50);
    const out = applyTransforms([resizePad({ maxSide: 800 })], createChwImage(100, 50, 3), s, 0);
    expect(out.image.width).toBe(800);
    expect(out.image.height).toBe(800);
    expect(out.geometry).toMatchObject({ origWidth: 100, origHeight: 50, scaleX: 8, scaleY: 8, padRight: 0, padBottom: 400 });
    expect(Array.from(out.sample.boxes)).toEqual([80, 40, 240, 360]);
    expect(Array.from(boxesToOriginal(out.sample.boxes, 'hbb', out.geometry))).toEqual([10, 5, 30, 45]);
  });
  it('boxesToOriginal undoes resize + flip + rot90 for OBBs', () => {
    // 41×29 → 82×58: a uniform scale, so the round trip is exact.
    const p = buildPipeline([{ type: 'resizePad', maxSide: 82 }, { type: 'flip', direction: 'vertical' }, { type: 'rot90', k: 1 }]);
    const out = applyTransforms(p, createChwImage(W, H, 1), OBB, 3);
    const back = boxesToOriginal(out.sample.boxes, 'obb', out.geometry);
    back.forEach((v, i) => expect(v).toBeCloseTo(OBB.boxes[i], 9));
    // 41×29 → 64×45: per-axis factors differ by 0.6 % (integer rounding); an OBB under an
    // anisotropic scale is approximated (as mmrotate does), so the round trip is close, not exact.
    const q = applyTransforms([resizePad({ maxSide: 64 })], createChwImage(W, H, 1), OBB, 3);
    boxesToOriginal(q.sample.boxes, 'obb', q.geometry).forEach((v, i) => expect(Math.abs(v - OBB.boxes[i])).toBeLessThan(1e-3));
  });
  it('resizePad pads with padValue and rejects a canvas smaller than the image', () => {
    const s = sample('hbb', [], 4, 2);
    const out = applyTransforms([resizePad({ maxSide: 4, padTo: { width: 5, height: 3 }, padValue: 7 })], createChwImage(4, 2, 1, 1), s, 0);
    expect(Array.from(out.image.data)).toEqual([1, 1, 1, 1, 7, 1, 1, 1, 1, 7, 7, 7, 7, 7, 7]);
    expect(() => applyTransforms([resizePad({ maxSide: 8, padTo: { width: 5, height: 5 } })], createChwImage(4, 2, 1), s, 0)).toThrow(/smaller than the resized image 8×4/);
  });
  it('rejects an image whose size disagrees with the annotation', () => {
    expect(() => transformItem(createChwImage(10, 10, 1), sample('hbb', [], 12, 10))).toThrow(/12×10 but the image is 10×10/);
  });
});

describe('determinism', () => {
  it('same seed → identical output; different seeds explore all flips', () => {
    const p = buildPipeline(soiDetTrainPipeline(48));
    const img = paintMarks(sample('obb', Array.from(OBB.boxes).slice(0, 5), W, H));
    const rgb = { ...img, data: new Float32Array(3 * W * H).map((_, i) => (i * 37) % 251), channels: 3 };
    const s = sample('obb', Array.from(OBB.boxes).slice(0, 5), W, H);
    const a = applyTransforms(p, rgb, s, 42);
    const b = applyTransforms(p, rgb, s, 42);
    expect(a.image.data).toEqual(b.image.data);
    expect(a.sample.boxes).toEqual(b.sample.boxes);
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed++) seen.add(applyTransforms(p, rgb, s, seed).geometry.applied.join(','));
    expect(seen).toEqual(new Set(['resizePad,photometricJitter,pad', ...['horizontal', 'vertical', 'diagonal'].map((d) => `resizePad,flip:${d},photometricJitter,pad`)]));
  });
  it('randomFlip with prob 0 never flips, with prob 1 always does', () => {
    const s = sample('hbb', [1.5, 1.5, 3.5, 3.5], 8, 8);
    for (let seed = 0; seed < 10; seed++) {
      expect(applyTransforms([randomFlip({ prob: 0 })], createChwImage(8, 8, 1), s, seed).geometry.applied).toEqual([]);
      expect(applyTransforms([randomFlip({ prob: 1 })], createChwImage(8, 8, 1), s, seed).geometry.applied).toEqual(['flip:horizontal']);
    }
  });
  it('randomRot90 is seeded and uses every allowed k', () => {
    const s = sample('hbb', [1.5, 1.5, 3.5, 5.5], 8, 6);
    const seen = new Set<string>();
    for (let seed = 0; seed < 30; seed++) {
      const a = applyTransforms([randomRot90({ prob: 1 })], createChwImage(8, 6, 1), s, seed);
      expect(applyTransforms([randomRot90({ prob: 1 })], createChwImage(8, 6, 1), s, seed).sample.boxes).toEqual(a.sample.boxes);
      seen.add(a.geometry.applied.join());
    }
    expect(seen).toEqual(new Set(['rot90:1', 'rot90:2', 'rot90:3']));
  });
  it('rejects bad options with a clear message', () => {
    expect(() => rot90(4 as Rot90K)).toThrow(/k must be 1, 2 or 3/);
    expect(() => flip('sideways' as FlipDirection)).toThrow(/unknown direction 'sideways'/);
    expect(() => buildPipeline([{ type: 'blur' } as never])).toThrow(/unknown transform type 'blur'/);
  });
});

describe('SOI-Det pipelines (mmrotate order: resize → flip → jitter → normalise → pad)', () => {
  const s = sample('obb', [30, 20, 20, 8, 0.2], 100, 50, 'sar');
  const img = createChwImage(100, 50, 1, 200);
  it('flips before padding, so content stays top-left and the padding is exactly the pad value', () => {
    for (let seed = 0; seed < 12; seed++) {
      const out = applyTransforms(buildPipeline(soiDetTrainPipeline(200, { normalize: { outChannels: 3 } })), img, s, seed);
      expect([out.image.width, out.image.height, out.image.channels]).toEqual([200, 200, 3]);
      expect(out.geometry).toMatchObject({ scaleX: 2, scaleY: 2, padRight: 0, padBottom: 100 });
      const plane = 200 * 200;
      for (let c = 0; c < 3; c++) {
        // SAR default statistics: (200 − 127.5) / 63.75 in the content, 0 in the padding.
        expect(out.image.data[c * plane + 99 * 200 + 150]).toBeCloseTo((200 - 127.5) / 63.75, 5);
        expect(out.image.data[c * plane + 100 * 200 + 150]).toBe(0);
      }
      // Boxes stay within the content area.
      expect(out.sample.boxes[1]).toBeLessThan(100);
    }
  });
  it('the test pipeline maps boxes back to the original image', () => {
    const out = applyTransforms(buildPipeline(soiDetTestPipeline(800)), img, s, 0);
    expect(out.geometry).toMatchObject({ scaleX: 8, scaleY: 8, padBottom: 400 });
    boxesToOriginal(out.sample.boxes, 'obb', out.geometry).forEach((v, i) => expect(v).toBeCloseTo(s.boxes[i], 9));
  });
  it('a grey image in the RGB modality (DOTA panchromatic) goes through the normalising pipeline as 3 channels', () => {
    const grey = sample('obb', [30, 20, 20, 8, 0.2], 100, 50, 'rgb');
    const out = applyTransforms(buildPipeline(soiDetTrainPipeline(200, { normalize: true })), createChwImage(100, 50, 1, 200), grey, 0);
    expect([out.image.width, out.image.height, out.image.channels]).toEqual([200, 200, 3]);
  });

  it('pad rejects a canvas smaller than the image, naming the sample', () => {
    expect(() => applyTransforms([pad({ width: 50, height: 50 })], img, s, 0)).toThrow(/canvas 50×50 is smaller than the image 100×50 \(sample t\)/);
  });
});
