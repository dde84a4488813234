/**
 * Learning-rate schedules as PURE functions of the step (no hidden state, so a resumed run just
 * evaluates at its step). A schedule returns a value — usually a factor of the base lr, fed to
 * `optimizer.setLrFactor(schedule(step))` — and schedules compose.
 */
export type Schedule = (step: number) => number;

export function constant(value = 1): Schedule {
  return () => value;
}

/** Linear ramp from `from` (at step 0) to `to` (at `steps` and after). */
export function linear(from: number, to: number, steps: number): Schedule {
  checkSteps(steps, 'linear');
  return (step) => (step >= steps ? to : from + ((to - from) * Math.max(step, 0)) / steps);
}

/**
 * Cosine from `from` (step 0) to `min` (at `steps` and after), as timm/torch
 * CosineAnnealingLR: min + (from − min)·(1 + cos(π·t/steps))/2.
 */
export function cosine(steps: number, opts: { from?: number; min?: number } = {}): Schedule {
  checkSteps(steps, 'cosine');
  const { from = 1, min = 0 } = opts;
  return (step) => {
    const t = Math.min(Math.max(step, 0), steps);
    return min + ((from - min) * (1 + Math.cos((Math.PI * t) / steps))) / 2;
  };
}

/** torch MultiStepLR: value × gamma^(number of milestones ≤ step). */
export function multiStep(milestones: readonly number[], gamma = 0.1, value = 1): Schedule {
  const sorted = [...milestones].sort((a, b) => a - b);
  return (step) => value * gamma ** sorted.filter((m) => step >= m).length;
}

/**
 * Linear warm-up for `warmupSteps`, then `schedule` (which sees steps counted from the end of
 * warm-up). The ramp goes from `startFactor`·schedule(0) to schedule(0), like detectron2's
 * WarmupParamScheduler with linear warm-up.
 */
export function withWarmup(schedule: Schedule, warmupSteps: number, startFactor = 0.001): Schedule {
  if (!(Number.isInteger(warmupSteps) && warmupSteps >= 0)) throw new RangeError(`withWarmup: warmupSteps must be an integer ≥ 0, got ${warmupSteps}`);
  if (warmupSteps === 0) return schedule;
  return (step) => {
    if (step >= warmupSteps) return schedule(step - warmupSteps);
    const alpha = Math.max(step, 0) / warmupSteps;
    return schedule(0) * (startFactor * (1 - alpha) + alpha);
  };
}

/**
 * Runs schedules one after another: `sequential([[a, 100], [b, 900], [c, Infinity]])`; each
 * sees steps counted from its own start.
 */
export function sequential(parts: ReadonlyArray<readonly [Schedule, number]>): Schedule {
  if (parts.length === 0) throw new Error('sequential: needs at least one schedule');
  return (step) => {
    let start = 0;
    for (let i = 0; i < parts.length; i++) {
      const [s, len] = parts[i];
      if (step < start + len || i === parts.length - 1) return s(step - start);
      start += len;
    }
    /* c8 ignore next */
    throw new Error('unreachable');
  };
}

/**
 * The BabelRS fine-tuning recipe (mmdet style): linear warm-up, then ×gamma at the given
 * fractions of training (default 8/12 and 11/12).
 */
export function warmupMultiStep(totalSteps: number, warmupSteps: number, opts: { fractions?: readonly number[]; gamma?: number; startFactor?: number } = {}): Schedule {
  checkSteps(totalSteps, 'warmupMultiStep');
  const milestones = (opts.fractions ?? [8 / 12, 11 / 12]).map((f) => Math.round(f * totalSteps));
  const steps = multiStep(milestones, opts.gamma ?? 0.1);
  return (step) => (step < warmupSteps ? withWarmup(constant(1), warmupSteps, opts.startFactor)(step) : 1) * steps(step);
}

function checkSteps(steps: number, name: string): void {
  if (!(Number.isFinite(steps) && steps > 0)) throw new RangeError(`${name}: steps must be a positive number, got ${steps}`);
}
