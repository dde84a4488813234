// GFL head (Generalized Focal Loss, Li et al. 2020; mmdet GFLHead) for horizontal boxes — the
// SAR head of BabelRS/SM3Det. Per level: shared cls/reg conv towers, a classifier whose score
// is the joint class–IoU quality (QFL), and per box side a distribution over 0..regMax stride
// units (DFL; the distance is its expectation) scaled by a per-level `Scale`. Anchors are
// squares of anchorScale·stride on every cell (centre offset 0, as mmdet's AnchorGenerator),
// assigned by ATSS over all levels. Weight names follow mmdet: cls_convs.i.conv/gn,
// reg_convs.i.conv/gn, gfl_cls, gfl_reg, scales.l.scale.
import * as tf from '@tensorflow/tfjs';
import { batchedNms } from '@babelrs/boxes';
import { Module, ModuleList, Rng } from '@babelrs/core';
import { atssAssign } from './atss-assigner.js';
import { boxToDistance, distanceToBox } from './box-distance.js';
import { Conv2d } from './conv2d.js';
import { registerTowers, runTower, type ConvNormAct, type TowerHeadOptions } from './conv-tower.js';
import type { DecodeOptions, DetectionHead, FeatureLevel, HeadBoxType, HeadDetections, HeadTargets } from './detection-head.js';
import { distributionFocalLoss } from './distribution-focal-loss.js';
import { DetHeadInputError } from './errors.js';
import { giouLoss } from './giou-loss.js';
import { checkLevels, checkTargets, insideAnyHbb } from './head-targets.js';
import { integralDistribution } from './integral.js';
import { priorPoints, squareAnchors, type LevelShape } from './prior-points.js';
import { qualityFocalLoss } from './quality-focal-loss.js';
import { Scale } from './scale.js';
import { topCandidates } from './score-candidates.js';

export interface GflHeadOptions extends TowerHeadOptions {
  /** Bins of each side's distribution minus one (mmdet 16). */
  regMax?: number;
  /** Anchor side = anchorScale·stride (mmdet octave_base_scale 8). */
  anchorScale?: number;
  /** ATSS candidates per level and GT (9). */
  atssTopk?: number;
  /** mmdet: QFL 1.0, DFL 0.25, GIoU 2.0. */
  lossWeights?: { cls?: number; dfl?: number; bbox?: number };
  /** QFL β (2). */
  qflBeta?: number;
}

/** Raw outputs: per level class logits and side distributions, NHWC. */
export interface GflRaw {
  cls: tf.Tensor4D[]; // each [B, H, W, K]
  reg: tf.Tensor4D[]; // each [B, H, W, 4·(regMax+1)]
  strides: number[];
}

/** Host-side training targets of a batch over all levels. */
export interface GflTargets {
  /** [B·N] class of each point, K = background. */
  labels: Int32Array;
  /** [B·N] 1 where a point counts in the classification loss (0 inside ignored boxes). */
  valid: Float32Array;
  /** Flat indices (b·N + point) of the positives. */
  posIndex: Int32Array;
  /** [P, 2] positive anchor centres in stride units. */
  posPoints: Float32Array;
  /** [P, 4] their GT boxes in stride units. */
  posBoxes: Float32Array;
}

const PRIOR_PROB = 0.01;

export class GflHead extends Module implements DetectionHead<GflRaw> {
  readonly boxType: HeadBoxType = 'hbb';
  readonly numClasses: number;
  readonly inChannels: number;
  readonly strides: number[];
  readonly regMax: number;
  readonly anchorScale: number;
  readonly atssTopk: number;
  readonly lossWeights: { cls: number; dfl: number; bbox: number };
  readonly qflBeta: number;

  constructor(opts: GflHeadOptions) {
    super();
    const { numClasses, inChannels, strides } = opts;
    const rng = new Rng(opts.seed ?? 0);
    const towerOut = registerTowers(this, 'GflHead', opts, rng);
    this.numClasses = numClasses;
    this.inChannels = inChannels;
    this.strides = [...strides];
    this.regMax = opts.regMax ?? 16;
    this.anchorScale = opts.anchorScale ?? 8;
    this.atssTopk = opts.atssTopk ?? 9;
    this.lossWeights = { cls: 1, dfl: 0.25, bbox: 2, ...opts.lossWeights };
    this.qflBeta = opts.qflBeta ?? 2;
    // Classifier bias −log((1 − p)/p): every anchor starts at score p, as focal-loss heads do.
    this.registerModule('gfl_cls', new Conv2d(towerOut, numClasses, { rng, biasInit: -Math.log((1 - PRIOR_PROB) / PRIOR_PROB) }));
    this.registerModule('gfl_reg', new Conv2d(towerOut, 4 * (this.regMax + 1), { rng }));
    this.registerModule('scales', new ModuleList(strides.map(() => new Scale(1))));
  }

  forward(levels: readonly FeatureLevel[]): GflRaw {
    checkLevels(levels, this.strides, this.inChannels, 'GflHead');
    const clsConvs = this.getModule<ModuleList<ConvNormAct>>('cls_convs');
    const regConvs = this.getModule<ModuleList<ConvNormAct>>('reg_convs');
    const scales = this.getModule<ModuleList<Scale>>('scales');
    const cls: tf.Tensor4D[] = [];
    const reg: tf.Tensor4D[] = [];
    levels.forEach(({ features }, l) => {
      const [c, r] = tf.tidy(() => [
        this.getModule<Conv2d>('gfl_cls').forward(runTower(clsConvs, features)),
        scales.at(l).forward(this.getModule<Conv2d>('gfl_reg').forward(runTower(regConvs, features))),
      ]);
      cls.push(c as tf.Tensor4D);
      reg.push(r as tf.Tensor4D);
    });
    return { cls, reg, strides: [...this.strides] };
  }

  disposeRaw(raw: GflRaw): void {
    tf.dispose([...raw.cls, ...raw.reg]);
  }

  private levelShapes(raw: GflRaw): LevelShape[] {
    return raw.cls.map((t, l) => ({ height: t.shape[1], width: t.shape[2], stride: raw.strides[l] }));
  }

  /** ATSS assignment of every image of the batch (host side, plain arrays). */
  buildTargets(raw: GflRaw, targets: readonly HeadTargets[]): GflTargets {
    const batch = raw.cls[0].shape[0];
    if (targets.length !== batch) throw new DetHeadInputError(`GflHead: ${targets.length} targets for a batch of ${batch}`);
    const priors = priorPoints(this.levelShapes(raw), 0);
    const anchors = squareAnchors(priors, this.anchorScale);
    const n = priors.strides.length;
    const labels = new Int32Array(batch * n).fill(this.numClasses);
    const valid = new Float32Array(batch * n).fill(1);
    const posIndex: number[] = [];
    const posPoints: number[] = [];
    const posBoxes: number[] = [];
    targets.forEach((t, b) => {
      const gt = checkTargets(t, b, 4, this.numClasses, 'GflHead');
      const a = atssAssign(anchors, priors.perLevel, gt.boxes, gt.labels, { topk: this.atssTopk });
      for (let i = 0; i < n; i++) {
        const g = a.assignedGtIndex[i] - 1;
        const [x, y, s] = [priors.points[i * 2], priors.points[i * 2 + 1], priors.strides[i]];
        if (g < 0) {
          // A background anchor inside an ignored box is neither positive nor negative.
          if (gt.ignored.length && insideAnyHbb(x, y, gt.ignored)) valid[b * n + i] = 0;
          continue;
        }
        labels[b * n + i] = a.labels[i];
        posIndex.push(b * n + i);
        posPoints.push(x / s, y / s);
        for (let k = 0; k < 4; k++) posBoxes.push(gt.boxes[g * 4 + k] / s);
      }
    });
    return { labels, valid, posIndex: Int32Array.from(posIndex), posPoints: Float32Array.from(posPoints), posBoxes: Float32Array.from(posBoxes) };
  }

  /** Flattens per-level [B, H, W, C] outputs to [B·N, C], levels concatenated per image. */
  private flatten(levels: tf.Tensor4D[], channels: number): tf.Tensor2D {
    const batch = levels[0].shape[0];
    return tf.tidy(() => tf.reshape(tf.concat(levels.map((t) => tf.reshape(t, [batch, -1, channels])), 1), [-1, channels]) as tf.Tensor2D);
  }

  /**
   * mmdet GFLHead.loss: QFL over all anchors / #positives; GIoU and DFL over the positives,
   * weighted by each positive's (detached) max class score and divided by the sum of those
   * weights (at least 1). The QFL target of a positive is the IoU of its decoded box with its GT.
   */
  loss(raw: GflRaw, targets: readonly HeadTargets[], _imageSize: readonly [number, number]): Record<string, tf.Scalar> {
    const t = this.buildTargets(raw, targets);
    const bins = this.regMax + 1;
    const k = this.numClasses;
    return tf.tidy(() => {
      const cls = this.flatten(raw.cls, k); // [B·N, K]
      const reg = this.flatten(raw.reg, 4 * bins); // [B·N, 4·bins]
      const numPos = t.posIndex.length;
      const scores = new Float32Array(t.labels.length);
      const valid = tf.tensor1d(t.valid);
      if (numPos === 0) {
        const qfl = tf.sum(tf.mul(qualityFocalLoss(cls, t.labels, scores, { beta: this.qflBeta, reduction: 'none' }), valid));
        const zero = tf.mul(tf.sum(reg), 0) as tf.Scalar; // keeps the regression branch in the graph
        return { loss_cls: tf.mul(qfl, this.lossWeights.cls) as tf.Scalar, loss_bbox: zero, loss_dfl: zero.clone() };
      }
      const posIdx = tf.tensor1d(t.posIndex, 'int32');
      const posReg = tf.gather(reg, posIdx); // [P, 4·bins]
      const points = tf.tensor2d(t.posPoints, [numPos, 2]);
      const gtBoxes = tf.tensor2d(t.posBoxes, [numPos, 4]);
      const predBoxes = distanceToBox(points, integralDistribution(posReg, this.regMax)); // [P, 4] stride units
      // Detached quantities: IoU quality targets and the per-positive weights.
      const iou = alignedIouHost(predBoxes.dataSync(), t.posBoxes);
      // A constant copy (tfjs has no stop-gradient): the weights must not train the classifier.
      const weightValues = tf.max(tf.sigmoid(tf.gather(cls, posIdx)), 1).dataSync();
      const weight = tf.tensor1d(weightValues); // [P]
      const weightSum = Math.max(Array.from(weightValues).reduce((a, v) => a + v, 0), 1);
      t.posIndex.forEach((p, j) => (scores[p] = iou[j]));
      const qfl = tf.div(tf.sum(tf.mul(qualityFocalLoss(cls, t.labels, scores, { beta: this.qflBeta, reduction: 'none' }), valid)), numPos);
      const giou = tf.div(tf.sum(tf.mul(giouLoss(predBoxes, gtBoxes, { reduction: 'none' }), weight)), weightSum);
      const distTargets = boxToDistance(points, gtBoxes, this.regMax); // [P, 4]
      const dflPerSide = distributionFocalLoss(tf.reshape(posReg, [numPos * 4, bins]) as tf.Tensor2D, distTargets, { reduction: 'none' }); // [P·4]
      const dfl = tf.div(tf.sum(tf.mul(tf.reshape(dflPerSide, [numPos, 4]), tf.reshape(weight, [numPos, 1]))), 4 * weightSum);
      return {
        loss_cls: tf.mul(qfl, this.lossWeights.cls) as tf.Scalar,
        loss_bbox: tf.mul(giou, this.lossWeights.bbox) as tf.Scalar,
        loss_dfl: tf.mul(dfl, this.lossWeights.dfl) as tf.Scalar,
      };
    });
  }

  /** mmdet GFLHead._get_bboxes_single: per level top-k (point, class) pairs, decode, class-wise NMS. */
  decode(raw: GflRaw, imageSize: readonly [number, number], opts: DecodeOptions = {}): HeadDetections[] {
    const { scoreThreshold = 0.05, nmsIouThreshold = 0.6, preNmsTopK = 1000, maxDetections = 100 } = opts;
    const [imgH, imgW] = imageSize;
    const batch = raw.cls[0].shape[0];
    const k = this.numClasses;
    const perImage = Array.from({ length: batch }, () => ({ boxes: [] as number[], scores: [] as number[], labels: [] as number[] }));
    raw.cls.forEach((clsLevel, l) => {
      const [, h, w] = clsLevel.shape;
      const stride = raw.strides[l];
      const scores = tf.tidy(() => tf.sigmoid(clsLevel).dataSync()); // [B·H·W·K]
      const dist = tf.tidy(() => integralDistribution(tf.reshape(raw.reg[l], [-1, 4 * (this.regMax + 1)]) as tf.Tensor2D, this.regMax).dataSync()); // [B·H·W·4]
      for (let b = 0; b < batch; b++) {
        const out = perImage[b];
        for (const c of topCandidates(scores, b * h * w * k, h * w, k, scoreThreshold, preNmsTopK)) {
          const i = b * h * w + c.point;
          const [x, y] = [(c.point % w) * stride, Math.floor(c.point / w) * stride];
          const d = [0, 1, 2, 3].map((s) => dist[i * 4 + s] * stride);
          if (!d.every(Number.isFinite)) continue; // a diverged prediction is not a detection
          out.boxes.push(clamp(x - d[0], imgW), clamp(y - d[1], imgH), clamp(x + d[2], imgW), clamp(y + d[3], imgH));
          out.scores.push(c.score);
          out.labels.push(c.label);
        }
      }
    });
    return perImage.map(({ boxes, scores, labels }) => {
      const keep = boxes.length ? batchedNms(boxes, scores, labels, nmsIouThreshold, { topK: maxDetections }) : new Int32Array(0);
      return {
        boxType: 'hbb' as const,
        boxes: Float64Array.from(Array.from(keep).flatMap((i) => boxes.slice(i * 4, i * 4 + 4))),
        scores: Float32Array.from(keep, (i) => scores[i]),
        labels: Int32Array.from(keep, (i) => labels[i]),
      };
    });
  }
}

function clamp(v: number, max: number): number {
  return Math.min(Math.max(v, 0), max);
}

/** Aligned IoU of row i of a and b (N×4 xyxy), as mmdet bbox_overlaps(is_aligned, eps 1e-6). */
export function alignedIouHost(a: ArrayLike<number>, b: ArrayLike<number>): Float32Array {
  const n = a.length / 4;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const iw = Math.max(0, Math.min(a[o + 2], b[o + 2]) - Math.max(a[o], b[o]));
    const ih = Math.max(0, Math.min(a[o + 3], b[o + 3]) - Math.max(a[o + 1], b[o + 1]));
    const inter = iw * ih;
    const union = (a[o + 2] - a[o]) * (a[o + 3] - a[o + 1]) + (b[o + 2] - b[o]) * (b[o + 3] - b[o + 1]) - inter;
    out[i] = Math.min(1, Math.max(0, inter / Math.max(union, 1e-6)));
  }
  return out;
}
