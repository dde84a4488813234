// The stacked 3×3 conv → GroupNorm → ReLU towers that GFL and FCOS heads share across levels
// (mmcv ConvModule: keys `N.conv.weight`, `N.gn.weight`, `N.gn.bias`; no conv bias with GN).
import * as tf from '@tensorflow/tfjs';
import { Module, ModuleList, type Rng } from '@babelrs/core';
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
