// Oriented R-CNN (Xie et al., ICCV 2021) behind the `DetectionHead` interface: an oriented RPN
// (midpoint-offset proposals) and a rotated-RoIAlign RoI head, as mmrotate's
// `oriented_rcnn_r50_fpn_1x_dota_le90` config, so the detector can put it on RGB and IR by
// config. `forward` runs the RPN (the part that is the same for training and inference);
// `loss` and `decode` derive proposals on the host from its outputs and run the RoI stage.
import * as tf from '@tensorflow/tfjs';
import { Module, Rng, type RngState } from '@babelrs/core';
import type { DecodeOptions, DetectionHead, FeatureLevel, HeadDetections, HeadTargets } from './detection-head.js';
import { DetHeadInputError } from './errors.js';
import { anchorsPerCell, gridAnchors, type AnchorOptions } from './oriented-rpn-anchors.js';
import { OrientedRpn } from './oriented-rpn.js';
import { rpnLoss, rpnTargets } from './oriented-rpn-loss.js';
import { RPN_PROPOSALS, rpnProposals, type ProposalOptions, type Proposals, type RpnLevelValues } from './oriented-rpn-proposals.js';
import { RCNN_TEST, RoiHead, roiDecode, roiLoss, roiTargets, type RoiHeadOutput } from './roi-head.js';
import { RCNN_ASSIGN, RPN_ASSIGN, type MaxIouAssignOptions } from './rotated-iou-assign.js';
import { extractRotatedRoiFeatures } from './rotated-roi-align-extractor.js';
import type { RoiAlignImpl } from './rotated-roi-align.js';

export interface OrientedRcnnHeadOptions {
  numClasses: number;
  /** Channels of every pyramid level. */
  inChannels: number;
  /** Strides of the levels the head receives, finest first. */
  strides: number[];
  /** RPN 3×3 conv width (mmrotate: 256); default inChannels. */
  featChannels?: number;
  anchors?: AnchorOptions;
  rpnAssign?: MaxIouAssignOptions;
  rpnSampleNum?: number;
  rpnPosFraction?: number;
  /** Anchors further than this outside the image are not trained; < 0 (default) keeps all. */
  allowedBorder?: number;
  rpnTrainProposals?: Partial<ProposalOptions>;
  rpnTestProposals?: Partial<ProposalOptions>;
  rcnnAssign?: MaxIouAssignOptions;
  rcnnSampleNum?: number;
  rcnnPosFraction?: number;
  /** RoIAlign grid (7) and samples per bin side (2; 0 = adaptive). */
  roiOutSize?: number;
  roiSamplingRatio?: number;
  /** RoI scale that maps to the finest level (mmdet: 56). */
  finestScale?: number;
  /** Width of the two shared FCs (mmrotate: 1024). */
  fcChannels?: number;
  /** Seeds the initialisation and the samplers. */
  seed?: number;
  /** How RoIAlign runs (default `auto`: host loop on wasm/cpu, gather elsewhere). */
  roiAlignImpl?: RoiAlignImpl;
}

/**
 * Lighter settings for CPU training (the defaults are mmrotate's GPU values): fewer proposals
 * and sampled RoIs and narrower FCs. At 256×256, batch 2, strides 4–32, 64 channels, a training
 * step of the head takes ~1 s on wasm with these vs ~5 s with the defaults (decode ~1 s vs ~20 s).
 */
export const ORIENTED_RCNN_CPU_OPTIONS: Readonly<Partial<OrientedRcnnHeadOptions>> = Object.freeze({
  fcChannels: 256,
  rpnTrainProposals: { nmsPre: 500, maxPerImg: 256 },
  rpnTestProposals: { nmsPre: 500, maxPerImg: 300 },
  rcnnSampleNum: 128,
});

/** Output of `forward`: the level features (cloned, owned by the raw) and the RPN maps. */
export interface OrientedRcnnRaw {
  levels: FeatureLevel[];
  /** Per level [B, H, W, A] objectness logits. */
  rpnCls: tf.Tensor4D[];
  /** Per level [B, H, W, A·6] midpoint-offset deltas. */
  rpnReg: tf.Tensor4D[];
}

export class OrientedRcnnHead extends Module implements DetectionHead<OrientedRcnnRaw> {
  readonly boxType = 'obb' as const;
  readonly numClasses: number;
  readonly inChannels: number;
  readonly strides: readonly number[];
  private readonly opts: OrientedRcnnHeadOptions;
  private readonly sampleRng: Rng;
  private readonly anchorCache = new Map<string, Float64Array>();

  constructor(opts: OrientedRcnnHeadOptions) {
    super();
    if (!(Number.isInteger(opts.numClasses) && opts.numClasses > 0)) throw new DetHeadInputError(`OrientedRcnnHead: numClasses must be a positive integer, got ${opts.numClasses}`);
    if (!(Number.isInteger(opts.inChannels) && opts.inChannels > 0)) throw new DetHeadInputError(`OrientedRcnnHead: inChannels must be a positive integer, got ${opts.inChannels}`);
    if (!opts.strides.length || opts.strides.some((s) => !(s > 0))) throw new DetHeadInputError(`OrientedRcnnHead: strides must be positive, got [${opts.strides}]`);
    this.opts = opts;
    this.numClasses = opts.numClasses;
    this.inChannels = opts.inChannels;
    this.strides = [...opts.strides];
    const rng = new Rng(opts.seed ?? 0);
    this.sampleRng = rng.fork('sampling');
    const initRng = rng.fork('init');
    this.registerModule('rpn_head', new OrientedRpn({
      inChannels: opts.inChannels,
      featChannels: opts.featChannels ?? opts.inChannels,
      numAnchors: anchorsPerCell(opts.anchors),
      rng: initRng,
    }));
    const out = opts.roiOutSize ?? 7;
    this.registerModule('roi_head', new RoiHead({
      numClasses: opts.numClasses,
      inFeatures: out * out * opts.inChannels,
      fcChannels: opts.fcChannels ?? 1024,
      rng: initRng,
    }));
  }

  /** State of the anchor/RoI samplers' RNG (not in the parameters): save it for an exact resume. */
  getSamplerState(): RngState {
    return this.sampleRng.getState();
  }

  setSamplerState(state: RngState): void {
    this.sampleRng.setState(state);
  }

  private get rpn(): OrientedRpn {
    return this.getModule<OrientedRpn>('rpn_head');
  }

  private get roiHead(): RoiHead {
    return this.getModule<RoiHead>('roi_head');
  }

  forward(levels: readonly FeatureLevel[]): OrientedRcnnRaw {
    if (levels.length !== this.strides.length) throw new DetHeadInputError(`OrientedRcnnHead: got ${levels.length} levels, configured for strides [${this.strides}]`);
    levels.forEach((l, i) => {
      if (l.stride !== this.strides[i]) throw new DetHeadInputError(`OrientedRcnnHead: level ${i} has stride ${l.stride}, expected ${this.strides[i]}`);
      if (l.features.shape[3] !== this.inChannels) throw new DetHeadInputError(`OrientedRcnnHead: level ${i} has ${l.features.shape[3]} channels, expected ${this.inChannels}`);
    });
    const { cls, reg } = this.rpn.forward(levels.map((l) => l.features));
    return { levels: levels.map((l) => ({ features: tf.clone(l.features), stride: l.stride })), rpnCls: cls, rpnReg: reg };
  }

  /** Anchors of level `l` for an H × W map (cached). */
  private anchors(l: number, h: number, w: number): Float64Array {
    const key = `${l}:${h}x${w}`;
    let a = this.anchorCache.get(key);
    if (!a) {
      a = gridAnchors(h, w, this.strides[l], this.opts.anchors);
      this.anchorCache.set(key, a);
    }
    return a;
  }

  private levelValues(raw: OrientedRcnnRaw): RpnLevelValues[] {
    return raw.rpnCls.map((c, l) => {
      const [, h, w] = c.shape;
      return { cls: c.dataSync(), reg: raw.rpnReg[l].dataSync(), anchors: this.anchors(l, h, w) };
    });
  }

  /** Proposals of every image of the batch (host). */
  proposals(raw: OrientedRcnnRaw, phase: 'train' | 'test'): Proposals[] {
    const values = this.levelValues(raw);
    const cfg = { ...RPN_PROPOSALS, ...(phase === 'train' ? this.opts.rpnTrainProposals : this.opts.rpnTestProposals) };
    const b = raw.rpnCls[0].shape[0];
    return Array.from({ length: b }, (_, img) => rpnProposals(values, img, cfg));
  }

  /** RoI features and head outputs for `rois` [R, 6]. */
  private roiForward(raw: OrientedRcnnRaw, rois: Float64Array): RoiHeadOutput {
    return tf.tidy(() => {
      const feats = extractRotatedRoiFeatures(
        raw.levels.map((l) => l.features),
        this.strides,
        rois,
        {
          outSize: this.opts.roiOutSize ?? 7,
          samplingRatio: this.opts.roiSamplingRatio ?? 2,
          finestScale: this.opts.finestScale,
          impl: this.opts.roiAlignImpl,
        },
      ); // [R, 7, 7, C]
      const out = this.roiHead.forward(feats);
      return { cls: out.cls, reg: out.reg };
    }) as RoiHeadOutput;
  }

  loss(raw: OrientedRcnnRaw, targets: readonly HeadTargets[], imageSize: readonly [number, number]): Record<string, tf.Scalar> {
    const b = raw.rpnCls[0].shape[0];
    if (targets.length !== b) throw new DetHeadInputError(`OrientedRcnnHead.loss: ${targets.length} targets for a batch of ${b}`);
    const anchors = concatAnchors(raw.rpnCls.map((c, l) => this.anchors(l, c.shape[1], c.shape[2])));
    const rpnT = rpnTargets(anchors, targets, imageSize, {
      assign: this.opts.rpnAssign ?? RPN_ASSIGN,
      sampleNum: this.opts.rpnSampleNum,
      posFraction: this.opts.rpnPosFraction,
      allowedBorder: this.opts.allowedBorder,
      rng: this.sampleRng,
    });
    const proposals = this.proposals(raw, 'train').map((p) => p.boxes);
    const roiT = roiTargets(proposals, targets, this.numClasses, {
      assign: this.opts.rcnnAssign ?? RCNN_ASSIGN,
      sampleNum: this.opts.rcnnSampleNum,
      posFraction: this.opts.rcnnPosFraction,
      rng: this.sampleRng,
    });
    return tf.tidy(() => {
      const cls = tf.concat(raw.rpnCls.map((c) => c.reshape([b, -1])), 1) as tf.Tensor2D; // [B, N]
      const reg = tf.concat(raw.rpnReg.map((r) => r.reshape([b, -1, 6])), 1) as tf.Tensor3D; // [B, N, 6]
      const rpn = rpnLoss(cls, reg, rpnT);
      const roi = roiLoss(this.roiForward(raw, roiT.rois), roiT);
      return { ...rpn, ...roi };
    });
  }

  decode(raw: OrientedRcnnRaw, _imageSize: readonly [number, number], opts: DecodeOptions = {}): HeadDetections[] {
    const cfg = {
      scoreThreshold: opts.scoreThreshold ?? RCNN_TEST.scoreThreshold,
      nmsIouThreshold: opts.nmsIouThreshold ?? RCNN_TEST.nmsIouThreshold,
      preNmsTopK: opts.preNmsTopK ?? RCNN_TEST.preNmsTopK,
      maxDetections: opts.maxDetections ?? RCNN_TEST.maxDetections,
    };
    return this.proposals(raw, 'test').map((p, img) => {
      const n = p.boxes.length / 5;
      const rois = new Float64Array(n * 6);
      for (let i = 0; i < n; i++) {
        rois[i * 6] = img;
        rois.set(p.boxes.subarray(i * 5, i * 5 + 5), i * 6 + 1);
      }
      const k1 = this.numClasses + 1;
      const probs = new Float32Array(n * k1);
      const deltas = new Float32Array(n * 5);
      // Chunks bound the gather's [cells, taps, C] intermediate at test-time proposal counts.
      for (let s = 0; s < n; s += DECODE_CHUNK) {
        const e = Math.min(n, s + DECODE_CHUNK);
        const out = this.roiForward(raw, rois.subarray(s * 6, e * 6));
        const prob = tf.softmax(out.cls);
        probs.set(prob.dataSync(), s * k1);
        deltas.set(out.reg.dataSync(), s * 5);
        tf.dispose([out.cls, out.reg, prob]);
      }
      return { boxType: 'obb' as const, ...roiDecode(p.boxes, probs, deltas, this.numClasses, cfg) };
    });
  }

  disposeRaw(raw: OrientedRcnnRaw): void {
    tf.dispose([...raw.levels.map((l) => l.features), ...raw.rpnCls, ...raw.rpnReg]);
  }
}

/** RoIs per RoIAlign + head pass at inference. */
const DECODE_CHUNK = 256;

function concatAnchors(levels: Float64Array[]): Float64Array {
  const out = new Float64Array(levels.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of levels) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}
