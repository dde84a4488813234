import * as tf from '@tensorflow/tfjs';
import type { NamedParameter, ParamGroupSpec } from './param-groups.js';

/** A group as the optimizer runs it: current lr (after schedules), weight decay, parameters. */
export interface ParamGroup {
  name: string;
  params: NamedParameter[];
  /** lr used by the next step. */
  lr: number;
  /** lr at construction; schedules multiply this. */
  initialLr: number;
  weightDecay: number;
}

/** Serializable optimizer state: JSON-able `meta` plus named tensors (e.g. for safetensors). */
export interface OptimizerState {
  meta: {
    type: string;
    stepCount: number;
    groups: Array<{ name: string; lr: number; initialLr: number; weightDecay: number; params: string[] }>;
    /** Per-parameter step counts (torch keeps one per parameter). */
    paramSteps: Record<string, number>;
    hyper: Record<string, number | boolean>;
  };
  /** `<paramName>/<slot>` → tensor (copies; the caller disposes them). */
  tensors: Record<string, tf.Tensor>;
}

interface ParamState {
  step: number;
  slots: Record<string, tf.Tensor>;
}

/**
 * Base of AdamW and SGD: parameter groups, per-parameter state keyed by the parameter's DOTTED
 * NAME (so a resumed run maps state to the right weights even though tfjs variable names
 * differ), lr scheduling by factor, and state dicts. Frozen (non-trainable) parameters and
 * parameters without a gradient are skipped, like torch skips `grad is None`.
 */
export abstract class Optimizer {
  readonly groups: ParamGroup[];
  stepCount = 0;
  private readonly state = new Map<string, ParamState>();

  protected constructor(specs: readonly ParamGroupSpec[], defaults: { lr: number; weightDecay: number }) {
    if (!(defaults.lr >= 0)) throw new RangeError(`${this.constructor.name}: lr must be ≥ 0, got ${defaults.lr}`);
    const seen = new Map<tf.Variable, string>();
    const seenNames = new Set<string>();
    this.groups = specs.map((spec, gi) => {
      const params = spec.params.map((p) => (Array.isArray(p) ? { name: p[0], variable: p[1] } : (p as NamedParameter)));
      for (const p of params) {
        // A variable listed twice (e.g. tied weights under two names) would be updated twice.
        const other = seen.get(p.variable);
        if (other !== undefined) throw new Error(`${this.constructor.name}: parameter "${p.name}" is the same variable as "${other}" (tied weights must be listed once)`);
        if (seenNames.has(p.name)) throw new Error(`${this.constructor.name}: parameter name "${p.name}" appears twice`);
        seen.set(p.variable, p.name);
        seenNames.add(p.name);
      }
      const lr = spec.lr ?? defaults.lr * (spec.lrScale ?? 1);
      return { name: spec.name ?? `group${gi}`, params, lr, initialLr: lr, weightDecay: spec.weightDecay ?? defaults.weightDecay };
    });
  }

  /** Sets every group's lr to initialLr × factor (what a schedule returns). */
  setLrFactor(factor: number): void {
    if (!Number.isFinite(factor) || factor < 0) throw new RangeError(`setLrFactor: factor must be a finite number ≥ 0, got ${factor}`);
    for (const g of this.groups) g.lr = g.initialLr * factor;
  }

  /**
   * One update. `grads` is keyed by tfjs variable name, as `tf.variableGrads` returns it. The
   * gradients are not disposed (the caller owns them).
   */
  step(grads: tf.NamedTensorMap): void {
    this.stepCount++;
    for (const group of this.groups) {
      for (const p of group.params) {
        if (!p.variable.trainable) continue;
        const g = grads[p.variable.name];
        if (!g) continue;
        if (g.shape.join(',') !== p.variable.shape.join(',')) {
          throw new Error(`${this.constructor.name}.step: gradient for "${p.name}" has shape [${g.shape}], parameter has [${p.variable.shape}]`);
        }
        const st = this.state.get(p.name) ?? { step: 0, slots: {} };
        st.step++;
        const newSlots = tf.tidy(() => {
          const { param, slots } = this.update(p.variable, g, st.slots, st.step, group);
          p.variable.assign(param);
          return slots;
        });
        for (const [k, t] of Object.entries(st.slots)) if (newSlots[k] !== t) t.dispose();
        st.slots = newSlots;
        this.state.set(p.name, st);
      }
    }
  }

  /**
   * The math of one parameter's update, run inside `tf.tidy`: returns the new parameter value
   * and the new state slots (e.g. exp_avg, exp_avg_sq).
   */
  protected abstract update(
    param: tf.Variable,
    grad: tf.Tensor,
    slots: Readonly<Record<string, tf.Tensor>>,
    step: number,
    group: ParamGroup,
  ): { param: tf.Tensor; slots: Record<string, tf.Tensor> };

  /** Hyper-parameters that are not per-group (betas, eps, momentum …). */
  protected abstract hyper(): Record<string, number | boolean>;

  stateDict(): OptimizerState {
    const tensors: Record<string, tf.Tensor> = {};
    const paramSteps: Record<string, number> = {};
    for (const [name, st] of this.state) {
      paramSteps[name] = st.step;
      for (const [slot, t] of Object.entries(st.slots)) tensors[`${name}/${slot}`] = t.clone();
    }
    return {
      meta: {
        type: this.constructor.name,
        stepCount: this.stepCount,
        groups: this.groups.map((g) => ({ name: g.name, lr: g.lr, initialLr: g.initialLr, weightDecay: g.weightDecay, params: g.params.map((p) => p.name) })),
        paramSteps,
        hyper: this.hyper(),
      },
      tensors,
    };
  }

  /**
   * Restores state saved by `stateDict` for the same parameter names. Errors name the field:
   * another optimizer type, different groups, unknown parameters, or shape mismatches.
   */
  loadStateDict(state: OptimizerState): void {
    const where = `${this.constructor.name}.loadStateDict`;
    if (state.meta.type !== this.constructor.name) throw new Error(`${where}: state is for ${state.meta.type}`);
    if (state.meta.groups.length !== this.groups.length) throw new Error(`${where}: state has ${state.meta.groups.length} parameter groups, optimizer has ${this.groups.length}`);
    const byName = new Map(this.groups.flatMap((g) => g.params.map((p) => [p.name, p.variable] as const)));
    state.meta.groups.forEach((sg, i) => {
      const mine = this.groups[i].params.map((p) => p.name);
      if (sg.params.join('\n') !== mine.join('\n')) throw new Error(`${where}: group ${i} ("${sg.name}") holds different parameters than the optimizer's`);
    });
    const next = new Map<string, ParamState>();
    for (const [name, step] of Object.entries(state.meta.paramSteps)) {
      if (!byName.has(name)) throw new Error(`${where}: state for unknown parameter "${name}"`);
      next.set(name, { step, slots: {} });
    }
    for (const [key, t] of Object.entries(state.tensors)) {
      const cut = key.lastIndexOf('/');
      const name = key.slice(0, cut);
      const variable = byName.get(name);
      const st = next.get(name);
      if (!variable || !st) throw new Error(`${where}: tensor "${key}" belongs to no parameter with a step count`);
      if (t.shape.join(',') !== variable.shape.join(',')) throw new Error(`${where}: tensor "${key}" has shape [${t.shape}], parameter has [${variable.shape}]`);
      st.slots[key.slice(cut + 1)] = t.clone();
    }
    this.disposeState();
    for (const [name, st] of next) this.state.set(name, st);
    this.stepCount = state.meta.stepCount;
    state.meta.groups.forEach((sg, i) => {
      Object.assign(this.groups[i], { lr: sg.lr, initialLr: sg.initialLr, weightDecay: sg.weightDecay });
    });
  }

  private disposeState(): void {
    for (const st of this.state.values()) for (const t of Object.values(st.slots)) t.dispose();
    this.state.clear();
  }

  /** Frees the optimizer state tensors. */
  dispose(): void {
    this.disposeState();
  }
}
