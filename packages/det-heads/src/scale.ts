// mmcv `Scale`: one learnable scalar per pyramid level that multiplies the shared regression
// branch's output, so levels with different object sizes can use the same convs.
import * as tf from '@tensorflow/tfjs';
import { Module, init } from '@babelrs/core';

export class Scale extends Module {
  constructor(value = 1) {
    super();
    this.registerParameter('scale', init.constant([1], value));
  }

  forward<T extends tf.Tensor>(x: T): T {
    return tf.mul(x, this.getParameter('scale')) as T;
  }
}
