// The stacked 3×3 conv → GroupNorm → ReLU towers that GFL and FCOS heads share across levels
// (mmcv ConvModule: keys `N.conv.weight`, `N.gn.weight`, `N.gn.bias`; no conv bias with GN).
import * as tf from '@tensorflow/tfjs';
import { Module, ModuleList, type Rng } from '@babelrs/core';
import { DetHeadInputError } from './errors.js';
import { Conv2d } from './conv2d.js';
import { GroupNorm } from './group-norm.js';

export class ConvNormAct extends Module {
  private readonly normed: boolean;

  constructor(inChannels: number, outChannels: number, groups: number | null, rng?: Rng) {
    super();
    this.normed = groups !== null;
    this.registerModule('conv', new Conv2d(inChannels, outChannels, { bias: groups === null, rng }));
    if (groups !== null) this.registerModule('gn', new GroupNorm(groups, outChannels));
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let y = this.getModule<Conv2d>('conv').forward(x);
      if (this.normed) y = this.getModule<GroupNorm>('gn').forward(y);
      return tf.relu(y);
    });
  }
}

/** `numConvs` ConvNormAct layers; `groups` null = no normalisation (conv with bias). */
export function convTower(numConvs: number, inChannels: number, channels: number, groups: number | null, rng?: Rng): ModuleList<ConvNormAct> {
  const list = new ModuleList<ConvNormAct>();
  for (let i = 0; i < numConvs; i++) list.append(new ConvNormAct(i === 0 ? inChannels : channels, channels, groups, rng));
  return list;
}

export function runTower(tower: ModuleList<ConvNormAct>, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    let y = x;
    for (const layer of tower) y = layer.forward(y);
    return y;
  });
}

/** What every one-stage head on the pyramid takes (GFL, rotated FCOS). */
export interface TowerHeadOptions {
  numClasses: number;
  /** Channels of every input level. */
  inChannels: number;
  /** Stride of each level in input pixels, finest first. */
  strides: number[];
  /** Channels of the conv towers (default inChannels). */
  featChannels?: number;
  /** Convs per tower (mmdet / mmrotate 4). */
  stackedConvs?: number;
  /** GroupNorm groups in the towers (default min(32, featChannels)); null = no norm. */
  normGroups?: number | null;
  /** Seeds the initialisation. */
  seed?: number;
}

/**
 * Checks a one-stage head's class count and strides and registers its `cls_convs` and
 * `reg_convs` towers on `head`; returns the towers' output channels (the input of the
 * prediction convs).
 */
export function registerTowers(head: Module, name: string, opts: TowerHeadOptions, rng: Rng): number {
  const { numClasses, inChannels, strides } = opts;
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new DetHeadInputError(`${name}: numClasses must be an integer >= 1, got ${numClasses}`);
  if (!strides.length || strides.some((s) => !(s > 0))) throw new DetHeadInputError(`${name}: strides must be positive numbers, got [${strides.join(', ')}]`);
  const feat = opts.featChannels ?? inChannels;
  const groups = opts.normGroups === undefined ? Math.min(32, feat) : opts.normGroups;
  const stacked = opts.stackedConvs ?? 4;
  head.registerModule('cls_convs', convTower(stacked, inChannels, feat, groups, rng));
  head.registerModule('reg_convs', convTower(stacked, inChannels, feat, groups, rng));
  return stacked > 0 ? feat : inChannels;
}
