// Rotated FCOS (mmrotate RotatedFCOSHead, le90) for oriented boxes: one-stage, anchor-free.
// Per level: shared cls/reg conv towers; a classifier (sigmoid focal loss); four distances
// (l, t, r, b) in stride units in the box frame, exp(Scale_l(·)) so they stay positive; an
// angle (Scale(·), radians); a centre-ness logit on the reg tower. Points sit at cell centres
// ((x + ½)·stride); each GT goes to the points inside it, near its centre (centre sampling) and
// on the level whose regression range holds its size (rotated-fcos-assigner.ts).
// Regression loss: KLD between the Gaussians of the decoded predicted box and the GT
// (kld-loss.ts) — smooth in θ across the le90 wrap-around and the w/h exchange — weighted by the
// centre-ness targets, as mmrotate's rotated_fcos_kld config. Weight names follow mmrotate:
// cls_convs.i, reg_convs.i, conv_cls, conv_reg, conv_angle, conv_centerness, scales.l.scale,
// scale_angle.scale.
import * as tf from '@tensorflow/tfjs';
import { batchedNms, normalizeObb } from '@babelrs/boxes';
import { Module, ModuleList, Rng } from '@babelrs/core';
import { Conv2d } from './conv2d.js';
import { registerTowers, runTower, type ConvNormAct, type TowerHeadOptions } from './conv-tower.js';
import type { DecodeOptions, DetectionHead, FeatureLevel, HeadBoxType, HeadDetections, HeadTargets } from './detection-head.js';
import { distanceAngleToObb } from './distance-angle-coder.js';
import { DetHeadInputError } from './errors.js';
import { checkLevels, checkTargets, insideAnyObb } from './head-targets.js';
import { kldLoss } from './kld-loss.js';
import { priorPoints, type LevelShape } from './prior-points.js';
import { defaultRegressRanges, rotatedFcosAssign } from './rotated-fcos-assigner.js';
import { Scale } from './scale.js';
import { topCandidates } from './score-candidates.js';
import { bceWithLogits, sigmoidFocalLoss } from './sigmoid-focal-loss.js';

export interface RotatedFcosHeadOptions extends TowerHeadOptions {
  /** Per level [lower, upper] of max(l, t, r, b) in pixels (default defaultRegressRanges). */
  regressRanges?: Array<[number, number]>;
  centerSampling?: boolean;
  centerSampleRadius?: number;
  focalGamma?: number;
  focalAlpha?: number;
  /** KLD τ (1) and α (1), mmrotate GDLoss defaults. */
  kldTau?: number;
  kldAlpha?: number;
  /** mmrotate: cls 1, bbox 1, centerness 1. */
  lossWeights?: { cls?: number; bbox?: number; centerness?: number };
}

export interface RotatedFcosRaw {
  cls: tf.Tensor4D[]; // each [B, H, W, K]
  /** exp(Scale(conv)) distances in stride units. */
  reg: tf.Tensor4D[]; // each [B, H, W, 4]
  angle: tf.Tensor4D[]; // each [B, H, W, 1] radians
  centerness: tf.Tensor4D[]; // each [B, H, W, 1] logits
  strides: number[];
}

export interface RotatedFcosTargets {
  /** [B·N] class, K = background. */
  labels: Int32Array;
  /** [B·N] 1 where a point counts in the classification loss. */
  valid: Float32Array;
  posIndex: Int32Array;
  /** [P, 2] positive points in stride units. */
  posPoints: Float32Array;
  /** [P, 5] GT boxes in stride units (cx, cy, w, h, θ). */
  posBoxes: Float32Array;
  /** [P] centre-ness targets. */
  posCenterness: Float32Array;
}

const PRIOR_PROB = 0.01;
const MAX_LOG_DISTANCE = 12;

export class RotatedFcosHead extends Module implements DetectionHead<RotatedFcosRaw> {
  readonly boxType: HeadBoxType = 'obb';
  readonly numClasses: number;
  readonly inChannels: number;
  readonly strides: number[];
  readonly regressRanges: Array<[number, number]>;
  readonly centerSampling: boolean;
  readonly centerSampleRadius: number;
  readonly focal: { gamma: number; alpha: number };
  readonly kld: { tau: number; alpha: number };
  readonly lossWeights: { cls: number; bbox: number; centerness: number };

  constructor(opts: RotatedFcosHeadOptions) {
    super();
    const { numClasses, inChannels, strides } = opts;
    const rng = new Rng(opts.seed ?? 0);
    const towerOut = registerTowers(this, 'RotatedFcosHead', opts, rng);
    this.numClasses = numClasses;
    this.inChannels = inChannels;
    this.strides = [...strides];
    this.regressRanges = opts.regressRanges ?? defaultRegressRanges(strides);
    if (this.regressRanges.length !== strides.length) throw new DetHeadInputError(`RotatedFcosHead: ${this.regressRanges.length} regressRanges for ${strides.length} strides`);
    this.centerSampling = opts.centerSampling ?? true;
    this.centerSampleRadius = opts.centerSampleRadius ?? 1.5;
    this.focal = { gamma: opts.focalGamma ?? 2, alpha: opts.focalAlpha ?? 0.25 };
    this.kld = { tau: opts.kldTau ?? 1, alpha: opts.kldAlpha ?? 1 };
    this.lossWeights = { cls: 1, bbox: 1, centerness: 1, ...opts.lossWeights };
    this.registerModule('conv_cls', new Conv2d(towerOut, numClasses, { rng, biasInit: -Math.log((1 - PRIOR_PROB) / PRIOR_PROB) }));
    this.registerModule('conv_reg', new Conv2d(towerOut, 4, { rng }));
    this.registerModule('conv_angle', new Conv2d(towerOut, 1, { rng }));
    this.registerModule('conv_centerness', new Conv2d(towerOut, 1, { rng }));
    this.registerModule('scales', new ModuleList(strides.map(() => new Scale(1))));
    this.registerModule('scale_angle', new Scale(1));
  }

  forward(levels: readonly FeatureLevel[]): RotatedFcosRaw {
    checkLevels(levels, this.strides, this.inChannels, 'RotatedFcosHead');
    const raw: RotatedFcosRaw = { cls: [], reg: [], angle: [], centerness: [], strides: [...this.strides] };
    const scales = this.getModule<ModuleList<Scale>>('scales');
    levels.forEach(({ features }, l) => {
      const out = tf.tidy(() => {
        const clsFeat = runTower(this.getModule<ModuleList<ConvNormAct>>('cls_convs'), features);
        const regFeat = runTower(this.getModule<ModuleList<ConvNormAct>>('reg_convs'), features);
        return [
          this.getModule<Conv2d>('conv_cls').forward(clsFeat),
          // exp keeps distances positive; capped at e^MAX_LOG_DISTANCE stride units so that a
          // wild early step cannot overflow to Infinity (and NaN in the loss).
          tf.exp(tf.minimum(scales.at(l).forward(this.getModule<Conv2d>('conv_reg').forward(regFeat)), MAX_LOG_DISTANCE)),
          this.getModule<Scale>('scale_angle').forward(this.getModule<Conv2d>('conv_angle').forward(regFeat)),
          this.getModule<Conv2d>('conv_centerness').forward(regFeat),
        ] as tf.Tensor4D[];
      });
      raw.cls.push(out[0]);
      raw.reg.push(out[1]);
      raw.angle.push(out[2]);
      raw.centerness.push(out[3]);
    });
    return raw;
  }

  disposeRaw(raw: RotatedFcosRaw): void {
    tf.dispose([...raw.cls, ...raw.reg, ...raw.angle, ...raw.centerness]);
  }

  private levelShapes(raw: RotatedFcosRaw): LevelShape[] {
    return raw.cls.map((t, l) => ({ height: t.shape[1], width: t.shape[2], stride: raw.strides[l] }));
  }

  /** Host-side targets of the batch (all levels, images concatenated). */
  buildTargets(raw: RotatedFcosRaw, targets: readonly HeadTargets[]): RotatedFcosTargets {
    const batch = raw.cls[0].shape[0];
    if (targets.length !== batch) throw new DetHeadInputError(`RotatedFcosHead: ${targets.length} targets for a batch of ${batch}`);
    const priors = priorPoints(this.levelShapes(raw), 0.5);
    const n = priors.strides.length;
    const labels = new Int32Array(batch * n).fill(this.numClasses);
    const valid = new Float32Array(batch * n).fill(1);
    const posIndex: number[] = [];
    const posPoints: number[] = [];
    const posBoxes: number[] = [];
    const posCenterness: number[] = [];
    targets.forEach((t, b) => {
      const gt = checkTargets(t, b, 5, this.numClasses, 'RotatedFcosHead');
      gt.boxes = normalizeObb(gt.boxes, 'le90'); // mmrotate regularize_boxes: targets are le90
      const a = rotatedFcosAssign(priors, gt.boxes, { regressRanges: this.regressRanges, centerSampling: this.centerSampling, centerSampleRadius: this.centerSampleRadius });
      for (let i = 0; i < n; i++) {
        const g = a.assignedGt[i];
        const [x, y, s] = [priors.points[i * 2], priors.points[i * 2 + 1], priors.strides[i]];
        if (g < 0) {
          if (gt.ignored.length && insideAnyObb(x, y, gt.ignored)) valid[b * n + i] = 0;
          continue;
        }
        labels[b * n + i] = gt.labels[g];
        posIndex.push(b * n + i);
        posPoints.push(x / s, y / s);
        const box = gt.boxes.subarray(g * 5, g * 5 + 5);
        posBoxes.push(box[0] / s, box[1] / s, box[2] / s, box[3] / s, box[4]);
        posCenterness.push(a.centerness[i]);
      }
    });
    return {
      labels,
      valid,
      posIndex: Int32Array.from(posIndex),
      posPoints: Float32Array.from(posPoints),
      posBoxes: Float32Array.from(posBoxes),
      posCenterness: Float32Array.from(posCenterness),
    };
  }

  private flatten(levels: tf.Tensor4D[], channels: number): tf.Tensor2D {
    const batch = levels[0].shape[0];
    return tf.tidy(() => tf.reshape(tf.concat(levels.map((t) => tf.reshape(t, [batch, -1, channels])), 1), [-1, channels]) as tf.Tensor2D);
  }

  /**
   * mmrotate RotatedFCOSHead.loss: focal loss over all points / #positives; KLD of the decoded
   * positives weighted by centre-ness targets / their sum; centre-ness BCE / #positives.
   */
  loss(raw: RotatedFcosRaw, targets: readonly HeadTargets[], _imageSize: readonly [number, number]): Record<string, tf.Scalar> {
    const t = this.buildTargets(raw, targets);
    const numPos = t.posIndex.length;
    return tf.tidy(() => {
      const cls = this.flatten(raw.cls, this.numClasses); // [B·N, K]
      const reg = this.flatten(raw.reg, 4); // [B·N, 4]
      const angle = this.flatten(raw.angle, 1); // [B·N, 1]
      const ctr = this.flatten(raw.centerness, 1); // [B·N, 1]
      const focal = sigmoidFocalLoss(cls, t.labels, { ...this.focal, reduction: 'none' }); // [B·N]
      const lossCls = tf.div(tf.sum(tf.mul(focal, tf.tensor1d(t.valid))), Math.max(numPos, 1));
      if (numPos === 0) {
        const zero = tf.mul(tf.add(tf.add(tf.sum(reg), tf.sum(angle)), tf.sum(ctr)), 0) as tf.Scalar;
        return { loss_cls: tf.mul(lossCls, this.lossWeights.cls) as tf.Scalar, loss_bbox: zero, loss_centerness: zero.clone() };
      }
      const posIdx = tf.tensor1d(t.posIndex, 'int32');
      const points = tf.tensor2d(t.posPoints, [numPos, 2]);
      const pred = distanceAngleToObb(points, tf.gather(reg, posIdx), tf.gather(angle, posIdx)); // [P, 5] stride units
      const gtBoxes = tf.tensor2d(t.posBoxes, [numPos, 5]);
      const ctrTargets = tf.tensor1d(t.posCenterness);
      const ctrSum = Math.max(t.posCenterness.reduce((a, v) => a + v, 0), 1e-6);
      const kld = kldLoss(pred, gtBoxes, { ...this.kld, reduction: 'none' }); // [P]
      const lossBbox = tf.div(tf.sum(tf.mul(kld, ctrTargets)), ctrSum);
      const lossCtr = bceWithLogits(tf.reshape(tf.gather(ctr, posIdx), [-1]), ctrTargets, { reduction: 'sum' });
      return {
        loss_cls: tf.mul(lossCls, this.lossWeights.cls) as tf.Scalar,
        loss_bbox: tf.mul(lossBbox, this.lossWeights.bbox) as tf.Scalar,
        loss_centerness: tf.mul(tf.div(lossCtr, numPos), this.lossWeights.centerness) as tf.Scalar,
      };
    });
  }

  /**
   * As mmdet/mmrotate's FCOS post-processing: per level the best `preNmsTopK` (point, class)
   * pairs whose σ(cls) exceeds the threshold, score = σ(cls)·σ(centre-ness) (score_factors),
   * boxes decoded in pixels and normalised to le90, then rotated NMS per class (defaults as
   * mmrotate's DOTA configs: IoU 0.1, 2000 boxes).
   */
  decode(raw: RotatedFcosRaw, _imageSize: readonly [number, number], opts: DecodeOptions = {}): HeadDetections[] {
    const { scoreThreshold = 0.05, nmsIouThreshold = 0.1, preNmsTopK = 2000, maxDetections = 2000 } = opts;
    const batch = raw.cls[0].shape[0];
    const k = this.numClasses;
    const perImage = Array.from({ length: batch }, () => ({ boxes: [] as number[], scores: [] as number[], labels: [] as number[] }));
    raw.cls.forEach((clsLevel, l) => {
      const [, h, w] = clsLevel.shape;
      const stride = raw.strides[l];
      const scores = tf.tidy(() => tf.sigmoid(clsLevel).dataSync()); // [B·H·W·K]
      const centerness = tf.tidy(() => tf.sigmoid(raw.centerness[l]).dataSync()); // [B·H·W]
      const dist = raw.reg[l].dataSync(); // [B·H·W·4]
      const angle = raw.angle[l].dataSync(); // [B·H·W]
      for (let b = 0; b < batch; b++) {
        const out = perImage[b];
        for (const c of topCandidates(scores, b * h * w * k, h * w, k, scoreThreshold, preNmsTopK)) {
          const i = b * h * w + c.point;
          const [px, py] = [((c.point % w) + 0.5) * stride, (Math.floor(c.point / w) + 0.5) * stride];
          const [dl, dt, dr, db] = [0, 1, 2, 3].map((s) => dist[i * 4 + s] * stride);
          const theta = angle[i];
          if (![dl, dt, dr, db, theta].every(Number.isFinite)) continue; // diverged: not a detection
          const [ox, oy] = [(dr - dl) / 2, (db - dt) / 2];
          const [cos, sin] = [Math.cos(theta), Math.sin(theta)];
          out.boxes.push(...normalizeObb([px + cos * ox - sin * oy, py + sin * ox + cos * oy, dl + dr, dt + db, theta], 'le90'));
          out.scores.push(c.score * centerness[i]);
          out.labels.push(c.label);
        }
      }
    });
    return perImage.map(({ boxes, scores, labels }) => {
      const keep = boxes.length ? batchedNms(boxes, scores, labels, nmsIouThreshold, { rotated: true, topK: maxDetections }) : new Int32Array(0);
      return {
        boxType: 'obb' as const,
        boxes: Float64Array.from(Array.from(keep).flatMap((i) => boxes.slice(i * 5, i * 5 + 5))),
        scores: Float32Array.from(keep, (i) => scores[i]),
        labels: Int32Array.from(keep, (i) => labels[i]),
      };
    });
  }
}
