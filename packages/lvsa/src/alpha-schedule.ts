// LVSA = Layerwise Visual-Semantic Annealing (BabelRS). α(t) is the weight with which the
// mean of the selected ViT layers is blended into the last layer's feature at step t.
import { LvsaConfigError } from './errors.js';

/** The paper's annealing horizon τ in training steps. */
export const DEFAULT_LVSA_TAU = 6000;

export type AlphaRamp = 'linear' | 'cosine';

export interface AlphaSchedule {
  ramp: AlphaRamp;
  /** Steps until α reaches 1. */
  tau: number;
}

function checkStepAndTau(step: number, tau: number): void {
  if (!Number.isFinite(step) || step < 0) {
    throw new LvsaConfigError(`LVSA step must be a finite number >= 0, got ${step}`);
  }
  if (!Number.isFinite(tau) || tau <= 0) {
    throw new LvsaConfigError(`LVSA tau must be a finite number > 0, got ${tau}`);
  }
}

/** The paper's schedule: α(t) = min(t/τ, 1). */
export function lvsaAlpha(step: number, tau: number = DEFAULT_LVSA_TAU): number {
  checkStepAndTau(step, tau);
  return Math.min(step / tau, 1);
}

/**
 * A smooth alternative (not in the paper; for ablations): α(t) = (1 − cos(π·min(t/τ, 1))) / 2.
 * Same end points as the linear ramp, zero slope at t = 0 and t = τ.
 */
export function lvsaAlphaCosine(step: number, tau: number = DEFAULT_LVSA_TAU): number {
  const linear = lvsaAlpha(step, tau);
  return (1 - Math.cos(Math.PI * linear)) / 2;
}

/** α(t) for a schedule given as data (e.g. from a YAML config). */
export function alphaAt(schedule: AlphaSchedule, step: number): number {
  switch (schedule.ramp) {
    case 'linear':
      return lvsaAlpha(step, schedule.tau);
    case 'cosine':
      return lvsaAlphaCosine(step, schedule.tau);
    default:
      throw new LvsaConfigError(`unknown LVSA ramp '${String((schedule as { ramp: unknown }).ramp)}' (expected 'linear' or 'cosine')`);
  }
}
