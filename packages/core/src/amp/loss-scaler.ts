import * as tf from '@tensorflow/tfjs';

/**
 * Dynamic loss scaling with PyTorch `GradScaler` semantics: the loss is multiplied by `scale`
 * so small fp16 gradients do not flush to zero; gradients are unscaled before clipping and the
 * optimizer step; a step whose gradients contain Inf/NaN is SKIPPED and the scale halves; after
 * `growthInterval` consecutive clean steps the scale doubles.
 */
export interface LossScalerOptions {
  initScale?: number;
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
  /** Disabled: scale 1, never skips (fp32/bf16 training need no scaling). */
  enabled?: boolean;
}

/** Anything with a `step(grads)` — our optimisers. */
export interface SteppableOptimizer {
  step(grads: tf.NamedTensorMap): void;
}

export interface LossScalerState {
  scale: number;
  growthTracker: number;
  growthFactor: number;
  backoffFactor: number;
  growthInterval: number;
  enabled: boolean;
}

export interface UnscaleResult {
  /** New tensors (caller disposes), gradients divided by the scale. */
  grads: tf.NamedTensorMap;
  /** True when any gradient holds Inf or NaN. */
  foundInf: boolean;
}

export class DynamicLossScaler {
  private scaleValue: number;
  private growthTracker = 0;
  private readonly growthFactor: number;
  private readonly backoffFactor: number;
  private readonly growthInterval: number;
  readonly enabled: boolean;
  /** Per-iteration: set by `unscale`, consumed by `update`. */
  private stepFoundInf: boolean | null = null;

  constructor(opts: LossScalerOptions = {}) {
    this.scaleValue = opts.initScale ?? 2 ** 16;
    this.growthFactor = opts.growthFactor ?? 2;
    this.backoffFactor = opts.backoffFactor ?? 0.5;
    this.growthInterval = opts.growthInterval ?? 2000;
    this.enabled = opts.enabled ?? true;
    if (!(this.scaleValue > 0)) throw new RangeError(`DynamicLossScaler: initScale must be > 0, got ${this.scaleValue}`);
    if (!(this.growthFactor > 1)) throw new RangeError(`DynamicLossScaler: growthFactor must be > 1, got ${this.growthFactor}`);
    if (!(this.backoffFactor > 0 && this.backoffFactor < 1)) throw new RangeError(`DynamicLossScaler: backoffFactor must be in (0, 1), got ${this.backoffFactor}`);
    if (!(Number.isInteger(this.growthInterval) && this.growthInterval > 0)) throw new RangeError(`DynamicLossScaler: growthInterval must be a positive integer, got ${this.growthInterval}`);
  }

  /** Current loss scale (1 when disabled). */
  get scale(): number {
    return this.enabled ? this.scaleValue : 1;
  }

  /** loss × scale; a new tensor. Call inside the function you differentiate. */
  scaleLoss(loss: tf.Tensor): tf.Tensor {
    return tf.mul(loss, tf.scalar(this.scale));
  }

  /**
   * Divides gradients by the scale (in float32, like torch's `unscale_`) and checks them for
   * Inf/NaN. Call once per iteration, before clipping.
   */
  unscale(grads: tf.NamedTensorMap): UnscaleResult {
    if (this.stepFoundInf !== null) throw new Error('DynamicLossScaler.unscale: already called since the last update()');
    const inv = 1 / this.scale;
    const out: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) out[name] = tf.tidy(() => tf.mul(g, tf.scalar(inv)));
    const finite = allFinite(...Object.values(out));
    this.stepFoundInf = !finite;
    return { grads: out, foundInf: !finite };
  }

  /**
   * Applies `optimizer.step(grads)` unless this iteration found Inf/NaN. `grads` must be the
   * unscaled gradients from `unscale` (possibly clipped). Returns whether the step was skipped.
   */
  step(optimizer: SteppableOptimizer, grads: tf.NamedTensorMap): { skipped: boolean } {
    if (this.stepFoundInf === null) throw new Error('DynamicLossScaler.step: call unscale(grads) first (gradients must be unscaled before the step)');
    // A disabled scaler behaves like torch's: a plain optimizer step.
    if (this.stepFoundInf && this.enabled) return { skipped: true };
    optimizer.step(grads);
    return { skipped: false };
  }

  /** Adjusts the scale for the next iteration (back off on overflow, grow after clean runs). */
  update(): void {
    if (this.stepFoundInf === null) throw new Error('DynamicLossScaler.update: call unscale(grads) first');
    if (this.enabled) {
      if (this.stepFoundInf) {
        this.scaleValue *= this.backoffFactor;
        this.growthTracker = 0;
      } else if (++this.growthTracker === this.growthInterval) {
        this.scaleValue *= this.growthFactor;
        this.growthTracker = 0;
      }
    }
    this.stepFoundInf = null;
  }

  stateDict(): LossScalerState {
    return {
      scale: this.scaleValue,
      growthTracker: this.growthTracker,
      growthFactor: this.growthFactor,
      backoffFactor: this.backoffFactor,
      growthInterval: this.growthInterval,
      enabled: this.enabled,
    };
  }

  loadStateDict(state: LossScalerState): void {
    if (!(typeof state.scale === 'number' && state.scale > 0)) throw new Error(`DynamicLossScaler.loadStateDict: field "scale" must be a positive number, got ${state.scale}`);
    if (!Number.isInteger(state.growthTracker) || state.growthTracker < 0) throw new Error(`DynamicLossScaler.loadStateDict: field "growthTracker" must be a non-negative integer, got ${state.growthTracker}`);
    this.scaleValue = state.scale;
    this.growthTracker = state.growthTracker;
    this.stepFoundInf = null;
  }
}

/** True when every value of every tensor is finite (one read for all of them). */
export function allFinite(...tensors: tf.Tensor[]): boolean {
  if (tensors.length === 0) return true;
  return tf.tidy(() => {
    const flags = tensors.map((t) => tf.all(tf.isFinite(t)).cast('int32'));
    return tf.min(tf.stack(flags)).dataSync()[0] === 1;
  });
}
