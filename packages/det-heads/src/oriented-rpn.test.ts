// Oriented RPN pieces: anchors by hand (mmdet AnchorGenerator), proposal selection with rotated
// NMS, targets on a hand-made case, and the losses' gradients against finite differences.
import * as tf from '@tensorflow/tfjs';
import { Rng, gradCheck, initBackend } from '@babelrs/core';
import { hbbToObb } from '@babelrs/boxes';
import { beforeAll, describe, expect, it } from 'vitest';
import { midpointOffsetEncode } from './midpoint-offset-coder.js';
import { anchorsPerCell, gridAnchors } from './oriented-rpn-anchors.js';
import { RPN_DELTA_STDS, rpnLoss, rpnTargets, sigmoidBce } from './oriented-rpn-loss.js';
import { rpnProposals } from './oriented-rpn-proposals.js';

beforeAll(async () => {
  expect((await initBackend({ prefer: 'wasm' })).backend).toBe('wasm');
});

describe('gridAnchors', () => {
  it('matches mmdet: base size = stride, centres at x·stride, (y, x, ratio) order', () => {
    const a = gridAnchors(1, 2, 4, { scales: [8], ratios: [1] });
    expect(Array.from(a)).toEqual([-16, -16, 16, 16, -12, -16, 20, 16]);
    const r = gridAnchors(1, 1, 4, { scales: [8], ratios: [0.5, 2] });
    // ratio 0.5 (h/w): w = 32/√0.5, h = 32·√0.5; ratio 2 the transpose.
    const w = 32 / Math.SQRT1_2;
    const h = 32 * Math.SQRT1_2;
    [-w / 2, -h / 2, w / 2, h / 2, -h / 2, -w / 2, h / 2, w / 2].forEach((v, i) => expect(r[i]).toBeCloseTo(v, 9));
    expect(anchorsPerCell()).toBe(3);
    expect(gridAnchors(3, 5, 8).length).toBe(3 * 5 * 3 * 4);
  });
});

describe('rpnProposals', () => {
  it('decodes the best anchors per level and suppresses overlaps with rotated NMS', () => {
    // Three anchors: 0 and 1 overlap by IoU 0.6, 2 is apart. Zero deltas (but Δα = Δβ = ½·std⁻¹ = 1)
    // decode to the anchors themselves.
    const anchors = Float64Array.from([0, 0, 10, 10, 2.5, 0, 12.5, 10, 30, 30, 40, 40]);
    const reg = new Float32Array(18);
    for (let i = 0; i < 3; i++) reg.set([0, 0, 0, 0, 1, 1], i * 6);
    const cls = Float32Array.from([2, 3, 1]);
    const p = rpnProposals([{ cls, reg, anchors }], 0, { nmsPre: 3, maxPerImg: 10, nmsIou: 0.5 });
    expect(p.scores.length).toBe(2);
    expect(p.scores[0]).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
    const want = hbbToObb([2.5, 0, 12.5, 10, 30, 30, 40, 40]);
    for (let k = 0; k < 2; k++) {
      for (let c = 0; c < 4; c++) expect(p.boxes[k * 5 + c]).toBeCloseTo(want[k * 5 + c], 9);
    }
    // nmsPre 1 keeps only the best anchor of the level; a looser IoU keeps all three.
    expect(rpnProposals([{ cls, reg, anchors }], 0, { nmsPre: 1, maxPerImg: 10, nmsIou: 0.5 }).scores.length).toBe(1);
    expect(rpnProposals([{ cls, reg, anchors }], 0, { nmsPre: 3, maxPerImg: 10, nmsIou: 0.7 }).scores.length).toBe(3);
  });
});

describe('rpnTargets and rpnLoss', () => {
  const anchors = Float64Array.from([0, 0, 20, 20, 10, 10, 30, 30, 100, 100, 120, 120, 40, 40, 60, 60]);
  const target = { boxes: Float64Array.from([10, 10, 20, 20, 0]), labels: Int32Array.from([0]) };

  it('marks the matching anchor positive with its midpoint-offset target and samples negatives', () => {
    const t = rpnTargets(anchors, [target], [128, 128], { rng: new Rng(1), sampleNum: 256 });
    expect(Array.from(t.labels)).toEqual([1, 0, 0, 0]);
    // Anchor 1 overlaps the hull by 100/700 ≈ 0.14 < 0.3 → negative, like anchors 2 and 3.
    expect(Array.from(t.labelWeights)).toEqual([1, 1, 1, 1]);
    expect(Array.from(t.deltaWeights)).toEqual([1, 0, 0, 0]);
    const want = midpointOffsetEncode(anchors.subarray(0, 4), target.boxes, { stds: RPN_DELTA_STDS });
    Array.from(want).forEach((v, i) => expect(t.deltas[i]).toBeCloseTo(v, 6));
    expect(t.numSampled).toBe(4);
    // Anchors beyond the image border are dropped when allowedBorder ≥ 0.
    const inside = rpnTargets(anchors, [target], [50, 50], { rng: new Rng(1), allowedBorder: 0 });
    expect(Array.from(inside.labelWeights)).toEqual([1, 1, 0, 0]);
  });

  it('binary cross-entropy with logits equals the textbook value', () => {
    const v = tf.tidy(() => sigmoidBce(tf.tensor1d([0, 2, -1]), tf.tensor1d([1, 0, 1])).dataSync());
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    [Math.log(2), -Math.log(1 - sig(2)), -Math.log(sig(-1))].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 5));
  });

  it('loss value by hand and gradients against finite differences (wasm)', () => {
    const t = rpnTargets(anchors, [target], [128, 128], { rng: new Rng(1) });
    const rng = new Rng(2);
    const cls = tf.tensor2d(rng.fillNormal(4), [1, 4]);
    const reg = tf.tensor3d(rng.fillNormal(24, 0, 0.3), [1, 4, 6]);
    const l = rpnLoss(cls as tf.Tensor2D, reg as tf.Tensor3D, t);
    const c = cls.dataSync();
    const sp = (x: number) => Math.log1p(Math.exp(x));
    const wantCls = (sp(c[0]) - c[0] + sp(c[1]) + sp(c[2]) + sp(c[3])) / 4;
    expect(l.loss_rpn_cls.dataSync()[0]).toBeCloseTo(wantCls, 5);
    let wantBox = 0;
    const r = reg.dataSync();
    for (let k = 0; k < 6; k++) {
      const d = Math.abs(r[k] - t.deltas[k]);
      wantBox += d < 1 / 9 ? (0.5 * d * d) / (1 / 9) : d - 0.5 / 9;
    }
    expect(l.loss_rpn_bbox.dataSync()[0]).toBeCloseTo(wantBox / 4, 5);
    tf.dispose([l.loss_rpn_cls, l.loss_rpn_bbox]);
    const report = gradCheck((x, y) => {
      const o = rpnLoss(x as tf.Tensor2D, y as tf.Tensor3D, t);
      return o.loss_rpn_cls.add(o.loss_rpn_bbox);
    }, [cls, reg]);
    expect(report.failures).toEqual([]);
    expect(report.checked).toBe(28);
    tf.dispose([cls, reg]);
  });
});
