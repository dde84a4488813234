import type * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';

/** Children named `0`, `1`, … so names read `blocks.3.attn.qkv.weight`. */
export class ModuleList<M extends Module = Module> extends Module {
  private readonly items: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  append(module: M): this {
    this.registerModule(String(this.items.length), module);
    this.items.push(module);
    return this;
  }

  get length(): number {
    return this.items.length;
  }

  at(index: number): M {
    const m = this.items.at(index);
    if (!m) throw new RangeError(`ModuleList: index ${index} out of range (length ${this.items.length})`);
    return m;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

/** A module with one tensor in and one tensor out. */
export interface TensorModule extends Module {
  forward(x: tf.Tensor): tf.Tensor;
}

/** Applies its children in order. */
export class Sequential extends ModuleList<TensorModule> {
  forward(x: tf.Tensor): tf.Tensor {
    let y = x;
    for (const m of this) y = m.forward(y);
    return y;
  }
}
