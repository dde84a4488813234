// The replica `fineTune({ workers: n })` runs in each of core's DataParallel worker threads: a
// detector rebuilt from its JSON config and loaded with the main thread's weights, the same
// AdamW / lr schedule / loss scaler / clipping as the single-thread loop. The main thread loads
// and collates the global batch and sends each worker its shard; every worker then applies the
// same summed gradient, so all replicas stay identical (DataParallel checks a hash).
import * as tf from '@tensorflow/tfjs';
import { DynamicLossScaler, defaultRng, type LossScalerOptions, type LossScalerState, type OptimizerState, type Precision, type Replica, type RngState } from '@babelrs/core';
import type { HeadTargets } from '@babelrs/det-heads';
import type { ModalityGroup } from './batch.js';
import type { DetectorConfig } from './config.js';
import { buildOptimizer, buildSchedule, scaledBatchLoss, unscaleAndClip, type FineTuneOptimizerOptions, type FineTuneScheduleOptions } from './fine-tune.js';
import { MultiModalDetector } from './multi-modal-detector.js';

/** A tensor as plain data (structured-cloneable between threads). */
export interface HostTensor {
  data: Float32Array | Int32Array;
  shape: number[];
  dtype: 'float32' | 'int32';
}

/** Optimizer state with its moments as host arrays. */
export interface HostOptimizerState {
  meta: OptimizerState['meta'];
  tensors: Record<string, HostTensor>;
}

export interface FineTuneReplicaOptions {
  config: DetectorConfig;
  /** The main detector's `stateDict()` (parameters and buffers) the replica starts from. */
  weights: Record<string, HostTensor>;
  steps: number;
  /** Completed steps (a resumed run's step; 0 otherwise). */
  startStep: number;
  optimizer: FineTuneOptimizerOptions;
  schedule: FineTuneScheduleOptions;
  clip: number | null;
  precision: Precision;
  lossScaler: LossScalerOptions;
  resume?: { optimizer: HostOptimizerState; scaler: LossScalerState; rng: RngState };
}

/** One worker's part of a global batch (rows of a collated DetectorBatch). */
export interface FineTuneShard {
  /** Step index (0-based) this shard belongs to: the fusion step and the lr schedule's argument. */
  step: number;
  images: Float32Array; // [n, 3, S, S]
  imageSize: number;
  groups: ModalityGroup[];
  targets: Partial<Record<string, HeadTargets[]>>;
  /** Per modality, this shard's share of the global batch's images of that modality (1: all of them). */
  modalityWeights: Record<string, number>;
}

/** What `getState()` needs from a worker. */
export interface FineTuneReplicaState {
  optimizer: HostOptimizerState;
  scaler: LossScalerState;
  rng: RngState;
}

export function toHostTensor(t: tf.Tensor): HostTensor {
  if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`fineTune workers: cannot send a ${t.dtype} tensor to a worker`);
  return { data: t.dataSync() as Float32Array | Int32Array, shape: [...t.shape], dtype: t.dtype };
}

export function fromHostTensor(h: HostTensor): tf.Tensor {
  return tf.tensor(h.data, h.shape, h.dtype);
}

export async function createFineTuneReplica(options: unknown): Promise<Replica> {
  const o = options as FineTuneReplicaOptions;
  const detector = new MultiModalDetector(o.config);
  const weights = Object.fromEntries(Object.entries(o.weights).map(([k, h]) => [k, fromHostTensor(h)]));
  try {
    detector.loadStateDict(weights);
  } finally {
    tf.dispose(Object.values(weights));
  }
  detector.train();
  const optimizer = buildOptimizer(detector, o.optimizer);
  const scaler = new DynamicLossScaler(o.lossScaler);
  const schedule = buildSchedule(o.steps, o.schedule);
  if (o.resume) {
    const tensors = Object.fromEntries(Object.entries(o.resume.optimizer.tensors).map(([k, h]) => [k, fromHostTensor(h)]));
    try {
      optimizer.loadStateDict({ meta: o.resume.optimizer.meta, tensors });
    } finally {
      tf.dispose(Object.values(tensors));
    }
    scaler.loadStateDict(o.resume.scaler);
    defaultRng().setState(o.resume.rng);
  }
  let step = o.startStep;
  let metrics: Record<string, number> = {};

  return {
    parameters: detector,
    loss: (_batch, payload) => {
      const shard = payload as FineTuneShard;
      if (shard.step !== step) throw new Error(`fineTune worker: got a shard of step ${shard.step} while at step ${step}`);
      detector.fusionStep = step;
      const lossScale = scaler.scale;
      const r = scaledBatchLoss(detector, shard, o.precision, scaler, shard.modalityWeights);
      metrics = { ...r.losses, lossScale };
      return r.loss;
    },
    optimizer: {
      // The summed (still loss-scaled) gradient of the global batch: the single-thread loop's update.
      step: (summed: tf.NamedTensorMap) => {
        optimizer.setLrFactor(schedule(step));
        // unscaleAndClip disposes its input; the worker disposes `summed` itself.
        const r = unscaleAndClip(Object.fromEntries(Object.entries(summed).map(([k, g]) => [k, g.clone()])), scaler, o.clip);
        let skipped: boolean;
        try {
          if (r.foundInf && !scaler.enabled) skipped = true; // fp32 without scaling: never apply a NaN update
          else skipped = scaler.step(optimizer, r.grads).skipped;
          scaler.update();
        } finally {
          tf.dispose(Object.values(r.grads));
        }
        metrics = {
          gradNorm: r.gradNorm ?? Number.NaN,
          foundInf: r.foundInf ? 1 : 0,
          skipped: skipped ? 1 : 0,
          lr: optimizer.groups.reduce((m, g) => Math.max(m, g.lr), 0),
        };
        step++;
      },
    },
    metrics: () => metrics,
    exportState: (): FineTuneReplicaState => {
      const st = optimizer.stateDict();
      try {
        return { optimizer: { meta: st.meta, tensors: Object.fromEntries(Object.entries(st.tensors).map(([k, t]) => [k, toHostTensor(t)])) }, scaler: scaler.stateDict(), rng: defaultRng().getState() };
      } finally {
        tf.dispose(Object.values(st.tensors));
      }
    },
  };
}
