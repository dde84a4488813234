// What a data-parallel worker builds: a model replica, its loss on a batch shard, and its
// optimizer. A replica module is an ES module (a path or file URL) whose named export (default
// name `createReplica`) returns one; every worker calls it with the same options, so replicas
// start alike — and DataParallel still copies worker 0's parameters to the others.
import type * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module.js';

/** Host-side batch: every entry is split along axis 0 into one contiguous shard per worker. */
export type HostBatch = Record<string, HostArray>;

export interface HostArray {
  data: Float32Array | Int32Array;
  /** Row-major shape; shape[0] is the batch axis. */
  shape: number[];
}

export interface Replica {
  /** Trainable parameters: a Module (its trainable namedParameters) or explicit name/variable pairs. */
  parameters: Module | ReadonlyArray<readonly [string, tf.Variable]>;
  /**
   * The loss of one shard as a MEAN over its samples (DataParallel weights shard i by n_i/N, so
   * the summed gradient is the gradient of the mean over the global batch). Called inside
   * `tf.variableGrads`; tensors of the batch are disposed after the step. `payload` is the
   * worker's shard given to `DataParallel.stepShards` (structured-cloned as is; `batch` is then empty).
   * A parameter the shard's loss does not reach gets a zero gradient from this worker; one no
   * worker reaches is left out of the optimizer step (as in single-process training).
   */
  loss(batch: Record<string, tf.Tensor>, payload?: unknown): tf.Scalar;
  /** Applies gradients keyed by tfjs variable name (core's `Optimizer#step` fits). */
  optimizer: { step(grads: tf.NamedTensorMap): void };
  /** Numbers to report after each gradient and each optimizer phase (e.g. loss parts, grad norm). */
  metrics?(): Record<string, number>;
  /** A structured-cloneable snapshot (e.g. optimizer moments as typed arrays) for checkpoints. */
  exportState?(): unknown;
}

export type ReplicaFactory = (options: unknown) => Replica | Promise<Replica>;

/** Splits `total` samples into `parts` contiguous shards, sizes differing by at most one. */
export function shardSizes(total: number, parts: number): number[] {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`shardSizes: parts must be an integer ≥ 1, got ${parts}`);
  if (total < parts) throw new RangeError(`shardSizes: a global batch of ${total} cannot feed ${parts} workers (need ≥ 1 sample each)`);
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}

/** Rows [start, start + count) of every batch entry (views, no copy). */
export function sliceBatch(batch: HostBatch, start: number, count: number): HostBatch {
  const out: HostBatch = {};
  for (const [name, a] of Object.entries(batch)) {
    const row = a.shape.slice(1).reduce((p, d) => p * d, 1);
    out[name] = { data: a.data.subarray(start * row, (start + count) * row), shape: [count, ...a.shape.slice(1)] };
  }
  return out;
}

/** Checks that every entry has the same batch size and a data length matching its shape. */
export function batchSize(batch: HostBatch): number {
  const entries = Object.entries(batch);
  if (entries.length === 0) throw new Error('DataParallel: the batch has no entries');
  let n = -1;
  for (const [name, a] of entries) {
    const size = a.shape.reduce((p, d) => p * d, 1);
    if (!(a.data instanceof Float32Array || a.data instanceof Int32Array)) {
      throw new TypeError(`DataParallel: batch entry "${name}" must hold a Float32Array or Int32Array`);
    }
    if (a.shape.length < 1 || size !== a.data.length) {
      throw new Error(`DataParallel: batch entry "${name}" has shape [${a.shape}] (${size} values) but ${a.data.length} values`);
    }
    if (n >= 0 && a.shape[0] !== n) throw new Error(`DataParallel: batch entry "${name}" has ${a.shape[0]} samples, other entries ${n}`);
    n = a.shape[0];
  }
  return n;
}
