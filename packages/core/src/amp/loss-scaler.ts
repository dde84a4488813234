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
  // Not readonly: loadStateDict restores them, as torch's GradScaler.load_state_dict does.
  private growthFactor: number;
  private backoffFactor: number;
  private growthInterval: number;
  readonly enabled: boolean;
  /** Per-iteration: set by `unscale`, consumed by `update`. */
  private stepFoundInf: boolean | null = null;

  constructor(opts: LossScalerOptions = {}) {
    // torch keeps the scale in a float32 tensor: every value it takes is rounded to float32.
    this.scaleValue = Math.fround(opts.initScale ?? 2 ** 16);
    this.growthFactor = opts.growthFactor ?? 2;
    this.backoffFactor = opts.backoffFactor ?? 0.5;
    this.growthInterval = opts.growthInterval ?? 2000;
    this.enabled = opts.enabled ?? true;
    checkHyperParameters('DynamicLossScaler', { growthFactor: this.growthFactor, backoffFactor: this.backoffFactor, growthInterval: this.growthInterval });
    if (!(this.scaleValue > 0 && Number.isFinite(this.scaleValue))) throw new RangeError(`DynamicLossScaler: initScale must be > 0 and finite in float32, got ${opts.initScale}`);
  }

  /** Current loss scale (1 when disabled). */
  get scale(): number {
    return this.enabled ? this.scaleValue : 1;
  }

  /** loss × scale; a new tensor. Call inside the function you differentiate. */
  scaleLoss(loss: tf.Tensor): tf.Tensor {
    // tidy: the scale's scalar tensor is freed even when called outside a tidy/variableGrads.
    return tf.tidy(() => tf.mul(loss, tf.scalar(this.scale)));
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
      // As torch's _amp_update_scale_: float32 arithmetic, and a growth that would overflow
      // float32 is not applied (the count still restarts).
      if (this.stepFoundInf) {
        this.scaleValue = Math.fround(this.scaleValue * this.backoffFactor);
        this.growthTracker = 0;
      } else if (++this.growthTracker === this.growthInterval) {
        const grown = Math.fround(this.scaleValue * this.growthFactor);
        if (Number.isFinite(grown)) this.scaleValue = grown;
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

  /**
   * Restores scale, growth tracker AND the growth/backoff hyper-parameters, like torch's
   * `GradScaler.load_state_dict` (a resumed run keeps the schedule it was saved with).
   * Hyper-parameter fields absent from an older state keep their current values.
   */
  loadStateDict(state: LossScalerState): void {
    const where = 'DynamicLossScaler.loadStateDict';
    if (!(typeof state.scale === 'number' && state.scale > 0)) throw new Error(`${where}: field "scale" must be a positive number, got ${state.scale}`);
    if (!Number.isInteger(state.growthTracker) || state.growthTracker < 0) throw new Error(`${where}: field "growthTracker" must be a non-negative integer, got ${state.growthTracker}`);
    const hyper = {
      growthFactor: state.growthFactor ?? this.growthFactor,
      backoffFactor: state.backoffFactor ?? this.backoffFactor,
      growthInterval: state.growthInterval ?? this.growthInterval,
    };
    checkHyperParameters(where, hyper, 'field ');
    Object.assign(this, hyper);
    this.scaleValue = Math.fround(state.scale);
    this.growthTracker = state.growthTracker;
    this.stepFoundInf = null;
  }
}

function checkHyperParameters(where: string, h: { growthFactor: number; backoffFactor: number; growthInterval: number }, prefix = ''): void {
  if (!(h.growthFactor > 1)) throw new RangeError(`${where}: ${prefix}growthFactor must be > 1, got ${h.growthFactor}`);
  if (!(h.backoffFactor > 0 && h.backoffFactor < 1)) throw new RangeError(`${where}: ${prefix}backoffFactor must be in (0, 1), got ${h.backoffFactor}`);
  if (!(Number.isInteger(h.growthInterval) && h.growthInterval > 0)) throw new RangeError(`${where}: ${prefix}growthInterval must be a positive integer, got ${h.growthInterval}`);
}

/** True when every value of every tensor is finite (one read for all of them). */
export function allFinite(...tensors: tf.Tensor[]): boolean {
  // Empty tensors hold nothing non-finite, and the wasm backend's reductions over zero elements
  // return uninitialised memory (so `all(isFinite([]))` would read as false at random).
  const nonEmpty = tensors.filter((t) => t.size > 0);
  if (nonEmpty.length === 0) return true;
  return tf.tidy(() => {
    const flags = nonEmpty.map((t) => tf.all(tf.isFinite(t)).cast('int32'));
    return tf.min(tf.stack(flags)).dataSync()[0] === 1;
  });
}
