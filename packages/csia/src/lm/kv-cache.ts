// Key/value cache for incremental decoding: per layer, the rotated keys and the values of every
// position seen so far, [B, numKeyValueHeads, S, headDim]. Owned tensors (kept out of tidies).
import * as tf from '@tensorflow/tfjs';

export class KVCache {
  private readonly keys: (tf.Tensor4D | null)[];
  private readonly values: (tf.Tensor4D | null)[];

  constructor(readonly numLayers: number) {
    this.keys = new Array(numLayers).fill(null);
    this.values = new Array(numLayers).fill(null);
  }

  /** Positions already cached (S). */
  get length(): number {
    return this.keys[0]?.shape[2] ?? 0;
  }

  /**
   * Appends this step's k/v of `layer` and returns the full [B, KVH, S + T, d] tensors (owned by
   * the cache: callers must not dispose them; safe to use inside a tidy).
   */
  update(layer: number, k: tf.Tensor4D, v: tf.Tensor4D): { k: tf.Tensor4D; v: tf.Tensor4D } {
    const oldK = this.keys[layer];
    const oldV = this.values[layer];
    const nk = tf.keep(oldK ? (tf.concat([oldK, k], 2) as tf.Tensor4D) : k.clone());
    const nv = tf.keep(oldV ? (tf.concat([oldV, v], 2) as tf.Tensor4D) : v.clone());
    oldK?.dispose();
    oldV?.dispose();
    this.keys[layer] = nk;
    this.values[layer] = nv;
    return { k: nk, v: nv };
  }

  dispose(): void {
    for (const t of [...this.keys, ...this.values]) t?.dispose();
    this.keys.fill(null);
    this.values.fill(null);
  }
}
