// Midpoint-offset and xywha-delta coders: hand-computed cases, round trips, and mmrotate's
// formulas (fixtures/coder_cases.json, written by fixtures/gen_roi_align_box_coders.py).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '@babelrs/core';
import { rotatedIoU } from '@babelrs/boxes';
import { describe, expect, it } from 'vitest';
import { DetHeadInputError } from './errors.js';
import { midpointOffsetDecode, midpointOffsetEncode } from './midpoint-offset-coder.js';
import { normAngleLe90, obbDeltaDecode, obbDeltaEncode } from './roi-head-delta-coder.js';

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-9): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `index ${i}: ${a[i]} vs ${b[i]}`).toBeLessThan(tol);
}

function randomObbs(n: number, rng: Rng): Float64Array {
  const out = new Float64Array(n * 5);
  for (let i = 0; i < n; i++) {
    const w = 4 + 40 * rng.uniform();
    const h = 2 + (w - 2) * rng.uniform() * 0.95;
    out.set([100 * rng.uniform(), 100 * rng.uniform(), w, h, -Math.PI / 2 + 0.01 + (Math.PI - 0.02) * rng.uniform()], i * 5);
  }
  return out;
}

describe('midpoint-offset coder', () => {
  it('encodes an axis-aligned box: the top and right vertices sit at the hull corners (Δα = Δβ = ½)', () => {
    expectClose(midpointOffsetEncode([0, 0, 10, 10], [5, 5, 10, 10, 0]), [0, 0, 0, 0, 0.5, 0.5]);
    // Shifted and scaled hull: Δx = 2/10, Δy = −1/10, Δw = log(20/10), Δh = log(5/10).
    expectClose(midpointOffsetEncode([0, 0, 10, 10], [7, 4, 20, 5, 0]), [0.2, -0.1, Math.log(2), Math.log(0.5), 0.5, 0.5]);
  });

  it('encodes a 45° square: vertices at the edge midpoints (Δα = Δβ = 0)', () => {
    const s = 2 * Math.SQRT2;
    expectClose(midpointOffsetEncode([-2, -2, 2, 2], [0, 0, s, s, Math.PI / 4]), [0, 0, 0, 0, 0, 0], 1e-9);
  });

  it('encodes a rotated box by hand: (cx, cy, w, h, θ) = (0, 0, 4, 2, 0.3)', () => {
    // Corners of the box: ±(2cos θ, 2sin θ) ± (−sin θ, cos θ).
    const [c, s] = [Math.cos(0.3), Math.sin(0.3)];
    const hw = 2 * c + s; // hull half-width
    const hh = 2 * s + c; // hull half-height
    // Top vertex: (2c·(−1)·… ) the corner with the smallest y is −(2c, 2s) + (s, −c)… its x:
    const topX = -2 * c + s;
    const rightY = 2 * s - c;
    const got = midpointOffsetEncode([-hw, -hh, hw, hh], [0, 0, 4, 2, 0.3]);
    expectClose(got, [0, 0, 0, 0, topX / (2 * hw), rightY / (2 * hh)], 1e-9);
  });

  it('decodes what it encodes (random boxes and anchors, mmrotate stds)', () => {
    const rng = new Rng(11);
    const gts = randomObbs(200, rng);
    // Keep clear of the 0.1 px tolerance: a thin box within ~0.1 rad of axis-aligned has two
    // corners "on" the hull's top edge and mmrotate's encoding picks the wrong one (see below).
    for (let i = 0; i < 200; i++) {
      const t = gts[i * 5 + 4];
      const off = Math.abs(t - Math.round(t / (Math.PI / 2)) * (Math.PI / 2));
      if (off < 0.1) gts[i * 5 + 4] += 0.2;
    }
    const anchors = new Float64Array(200 * 4);
    for (let i = 0; i < 200; i++) {
      const cx = gts[i * 5] + 5 * (rng.uniform() - 0.5);
      const cy = gts[i * 5 + 1] + 5 * (rng.uniform() - 0.5);
      const s = 8 + 30 * rng.uniform();
      anchors.set([cx - s / 2, cy - s, cx + s / 2, cy + s], i * 4);
    }
    const stds = [1, 1, 1, 1, 0.5, 0.5];
    const back = midpointOffsetDecode(anchors, midpointOffsetEncode(anchors, gts, { stds }), { stds });
    const iou = rotatedIoU(back, gts);
    for (let i = 0; i < 200; i++) expect(iou[i * 200 + i]).toBeGreaterThan(1 - 1e-6);
    for (let i = 0; i < 200; i++) expectClose(back.subarray(i * 5, i * 5 + 4), gts.subarray(i * 5, i * 5 + 4), 1e-6);
  });

  it('shares mmrotate\'s blind spot: a thin, nearly vertical box encodes as its hull', () => {
    // θ = −π/2 + 0.037: the two top corners differ by h·|cos θ| ≈ 0.09 px < 0.1 px in y.
    const gt = [0, 0, 18.6, 2.5, -Math.PI / 2 + 0.037];
    const d = midpointOffsetEncode([-10, -10, 10, 10], gt);
    expect(d[4]).toBe(0.5);
  });

  it('clamps Δα, Δβ to ±½ and log-ratios to |log(16/1000)|', () => {
    const box = midpointOffsetDecode([0, 0, 10, 10], [0, 0, 100, -100, 3, 3]);
    // Δw → 4.135 clamp: w_hull = 10·1000/16; the quad is the hull rectangle itself (Δα = Δβ = ½).
    expect(box[2] * box[3]).toBeCloseTo(10 * (1000 / 16) * 10 * (16 / 1000), 6);
  });

  it('rejects mismatched rows', () => {
    expect(() => midpointOffsetEncode([0, 0, 1, 1], [0, 0, 1, 1, 0, 5, 5, 1, 1, 0])).toThrow(DetHeadInputError);
    expect(() => midpointOffsetDecode([0, 0, 1, 1], [0, 0, 0, 0, 0])).toThrow(/anchors 1 rows vs deltas/);
  });
});

describe('xywha delta coder (le90, edge swap, projected centre)', () => {
  it('projects the centre shift into the proposal frame', () => {
    // Proposal turned −90°: its w axis points up (−y); a gt 3 px further down is Δx = −3 / w.
    const d = obbDeltaEncode([0, 0, 10, 5, -Math.PI / 2], [0, 3, 10, 5, -Math.PI / 2], { stds: [1, 1, 1, 1, 1] });
    expectClose(d, [-3 / 10, 0, 0, 0, 0], 1e-12);
  });

  it('swaps edges when that gives the smaller angle change', () => {
    // gt at θ = 1.4 vs proposal θ = 0: turning by 1.4 or by 1.4 − π/2 = −0.1708 with w, h swapped.
    const d = obbDeltaEncode([0, 0, 10, 5, 0], [0, 0, 10, 5, 1.4], { stds: [1, 1, 1, 1, 1] });
    expectClose(d, [0, 0, Math.log(5 / 10), Math.log(10 / 5), 1.4 - Math.PI / 2], 1e-12);
    const back = obbDeltaDecode([0, 0, 10, 5, 0], d, { stds: [1, 1, 1, 1, 1] });
    expectClose(back, [0, 0, 10, 5, 1.4], 1e-12);
  });

  it('round-trips random boxes with the RoI-head stds', () => {
    const rng = new Rng(5);
    const props = randomObbs(100, rng);
    const gts = randomObbs(100, rng);
    for (let i = 0; i < 100; i++) {
      gts[i * 5] = props[i * 5] + 3 * rng.normal();
      gts[i * 5 + 1] = props[i * 5 + 1] + 3 * rng.normal();
    }
    const back = obbDeltaDecode(props, obbDeltaEncode(props, gts));
    expectClose(back, gts, 1e-9);
  });

  it('normalises angles into [−π/2, π/2)', () => {
    expect(normAngleLe90(Math.PI / 2)).toBeCloseTo(-Math.PI / 2, 12);
    expect(normAngleLe90(-Math.PI / 2)).toBeCloseTo(-Math.PI / 2, 12);
    expect(normAngleLe90(3)).toBeCloseTo(3 - Math.PI, 12);
    expect(normAngleLe90(-2)).toBeCloseTo(-2 + Math.PI, 12);
  });
});

const fx = JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/coder_cases.json'), 'utf8'));

describe('coders vs mmrotate formulas (torch fixture)', () => {
  it('midpoint-offset encode and decode (with clamped Δα, Δβ) match', () => {
    expectClose(midpointOffsetEncode(fx.anchors, fx.gts, { stds: fx.mpStds }), fx.mpDeltas, 1e-9);
    const got = midpointOffsetDecode(fx.anchors, fx.mpPred, { stds: fx.mpStds });
    // Centres and sizes exactly; angles modulo π (a rectangle's le90 angle is unique up to π).
    for (let i = 0; i < got.length / 5; i++) {
      expectClose(got.subarray(i * 5, i * 5 + 4), fx.mpDecoded.slice(i * 5, i * 5 + 4), 1e-9);
      const dt = Math.abs(normAngleLe90(got[i * 5 + 4] - fx.mpDecoded[i * 5 + 4]));
      expect(dt).toBeLessThan(1e-9);
    }
  });

  it('xywha encode and decode match', () => {
    expectClose(obbDeltaEncode(fx.props, fx.gts), fx.obbDeltas, 1e-9);
    expectClose(obbDeltaDecode(fx.props, fx.obbPred), fx.obbDecoded, 1e-9);
  });
});
