// The meta-architecture (detectron2's `meta_arch`): ONE shared ViT for every modality → fusion
// of the tapped blocks → ViTDet simple feature pyramid → one head per modality. A batch that
// mixes modalities runs the trunk once and routes each modality's rows to its own head.
import * as tf from '@tensorflow/tfjs';
import { Module } from '@babelrs/core';
import type { Modality } from '@babelrs/datasets';
import type { DecodeOptions, DetectionHead, FeatureLevel, HeadBoxType, HeadDetections, HeadTargets } from '@babelrs/det-heads';
import { SimpleFeaturePyramid, ViT, tokensToNhwc, type VitConfig } from '@babelrs/vit-backbone';
import { configuredModalities, pyramidStrides, validateDetectorConfig, type DetectorConfig } from './config.js';
import type { ModalityGroup } from './batch.js';
import { createHead } from './head-registry.js';
import { registerBuiltinHeads } from './builtin-heads.js';
import { buildFusion, type DetectorFusion } from './layer-fusion.js';
import { labelSpaces, type ModalityLabelSpace } from './label-space.js';

export interface DetectorLosses {
  /** Sum of every head's losses. */
  total: tf.Scalar;
  /** `<modality>.<loss name>` → scalar (e.g. `sar.loss_qfl`). */
  parts: Record<string, tf.Scalar>;
}

export class MultiModalDetector extends Module {
  readonly config: DetectorConfig;
  readonly backbone: ViT;
  readonly fusion: DetectorFusion;
  readonly neck: SimpleFeaturePyramid;
  readonly heads: Partial<Record<Modality, DetectionHead>>;
  readonly labelSpaces: Partial<Record<Modality, ModalityLabelSpace>>;
  readonly strides: number[];
  readonly modalities: Modality[];
  /**
   * Training step seen by step-dependent fusions (LVSA α(t)); `fineTune` advances it. Kept in
   * the persistent buffer `fusion_step`, so a saved detector evaluates with the α it trained to.
   */
  get fusionStep(): number {
    return this.getBuffer('fusion_step').dataSync()[0];
  }

  set fusionStep(step: number) {
    if (!(Number.isInteger(step) && step >= 0)) throw new RangeError(`MultiModalDetector.fusionStep must be a non-negative integer, got ${step}`);
    tf.tidy(() => this.getBuffer('fusion_step').assign(tf.scalar(step, 'float32')));
  }

  constructor(config: DetectorConfig) {
    super();
    validateDetectorConfig(config);
    registerBuiltinHeads();
    this.config = structuredClone(config);
    this.registerBuffer('fusion_step', tf.scalar(0, 'float32'));
    const seed = config.seed ?? 0;
    const vitConfig: VitConfig = { ...config.backbone, imgSize: config.imageSize, inChannels: 3 };
    // timm key names under `backbone.` (layer decay finds `backbone.blocks.<i>.`).
    this.backbone = this.registerModule('backbone', new ViT(vitConfig, { seed }));
    this.fusion = buildFusion(config);
    this.registerModule('fusion', this.fusion.module);
    this.neck = this.registerModule(
      'neck',
      new SimpleFeaturePyramid({ inChannels: this.fusion.outChannels, outChannels: config.neck.outChannels, scaleFactors: config.neck.scaleFactors, patchSize: config.backbone.patchSize }),
    );
    this.strides = pyramidStrides(config);
    this.modalities = configuredModalities(config);
    this.labelSpaces = labelSpaces(config);
    this.heads = {};
    const heads = this.registerModule('heads', new Module());
    this.modalities.forEach((m, k) => {
      const h = config.heads[m]!;
      const head = createHead(h.type, {
        numClasses: this.labelSpaces[m]!.names.length,
        inChannels: config.neck.outChannels,
        strides: this.strides,
        seed: seed + 1000 * (k + 1),
        options: h.options ?? {},
      });
      this.heads[m] = heads.registerModule(m, head);
    });
  }

  /** The head of a modality, or an error naming the configured ones. */
  head(modality: Modality): DetectionHead {
    const h = this.heads[modality];
    if (!h) throw new Error(`MultiModalDetector: no ${modality} head (configured: ${this.modalities.join(', ')})`);
    return h;
  }

  /** Box geometry each head predicts. */
  get boxTypes(): Partial<Record<Modality, HeadBoxType>> {
    return Object.fromEntries(this.modalities.map((m) => [m, this.head(m).boxType]));
  }

  /** Shared trunk: images [B, 3, S, S] → pyramid levels (NHWC, finest first) with strides. */
  features(images: tf.Tensor4D): FeatureLevel[] {
    const step = this.fusionStep;
    const maps = tf.tidy(() => {
      const { taps, grid } = this.backbone.forwardTaps(images, this.config.layers); // each [B, N, D]
      const fused = this.fusion.fuse(taps, step); // [B, N, C]
      return this.neck.forward(tokensToNhwc(fused, grid)); // [B, h_l, w_l, C'] per level
    });
    return maps.map((features, i) => ({ features, stride: this.strides[i] }));
  }

  /** The rows of one modality group at every level (the whole batch when it is one group). */
  private groupLevels(levels: readonly FeatureLevel[], g: ModalityGroup, batch: number): FeatureLevel[] {
    if (g.start === 0 && g.count === batch) return [...levels];
    return levels.map((l) => ({ features: tf.slice(l.features, [g.start, 0, 0, 0], [g.count, -1, -1, -1]) as tf.Tensor4D, stride: l.stride })); // [n_m, h, w, C]
  }

  /**
   * Sum of every head's losses on a batch (differentiable: call inside `tf.variableGrads`).
   * `groups` must cover the batch's rows, one contiguous slice per modality.
   */
  losses(images: tf.Tensor4D, groups: readonly ModalityGroup[], targets: Partial<Record<Modality, HeadTargets[]>>): DetectorLosses {
    return tf.tidy(() => {
      const size = images.shape[2];
      const levels = this.features(images);
      const parts: Record<string, tf.Scalar> = {};
      for (const g of groups) {
        const t = targets[g.modality];
        if (!t || t.length !== g.count) throw new Error(`MultiModalDetector.losses: ${g.modality} group has ${g.count} images but ${t?.length ?? 0} targets`);
        const head = this.head(g.modality);
        const raw = head.forward(this.groupLevels(levels, g, images.shape[0]));
        for (const [name, value] of Object.entries(head.loss(raw, t, [size, images.shape[3]]))) parts[`${g.modality}.${name}`] = value;
      }
      const values = Object.values(parts);
      const total = (values.length === 1 ? values[0] : tf.addN(values)) as tf.Scalar;
      return { total, parts };
    });
  }

  /** Detections per image, in batch order, in input-canvas pixels (eval mode is the caller's business). */
  detect(images: tf.Tensor4D, groups: readonly ModalityGroup[], opts: DecodeOptions = {}): HeadDetections[] {
    const out: HeadDetections[] = new Array(images.shape[0]);
    const size: [number, number] = [images.shape[2], images.shape[3]];
    const levels = this.features(images);
    try {
      for (const g of groups) {
        const head = this.head(g.modality);
        const own = this.groupLevels(levels, g, images.shape[0]);
        const raw = head.forward(own);
        try {
          head.decode(raw, size, opts).forEach((d, k) => (out[g.start + k] = d));
        } finally {
          head.disposeRaw(raw);
          for (const l of own) if (!levels.some((x) => x.features === l.features)) l.features.dispose();
        }
      }
    } finally {
      for (const l of levels) l.features.dispose();
    }
    return out;
  }
}
