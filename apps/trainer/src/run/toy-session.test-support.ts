/**
 * TEST SUPPORT ONLY (not exported): a tiny but real training stage — linear regression with a
 * core `Linear`, AdamW, a loss scaler and a seeded batch sampler — to test the run machinery
 * (checkpoints, exact resume, Ctrl-C, kill -9, NaN policy) independently of the detector.
 */
import { AdamW, DynamicLossScaler, Linear, Rng, tf } from '@babelrs/core';
import { restoreParts, snapshotParts } from './module-snapshot.js';
import type { StageName, StageSession, StageSnapshot, StepRecord } from './stage-session.js';

export interface ToyOptions {
  steps: number;
  seed?: number;
  /** Input width (a checkpoint of another width does not fit). */
  inFeatures?: number;
  /** From this step on the loss is NaN (a blow-up in fp32). */
  poisonFrom?: number;
  /** Busy time per step, ms (signal tests). */
  stepDelayMs?: number;
  stage?: StageName;
}

export class ToySession implements StageSession {
  readonly stage: StageName;
  readonly totalSteps: number;
  readonly precision = 'fp32' as const;
  step = 0;
  private readonly model: Linear;
  private readonly optimizer: AdamW;
  private readonly scaler = new DynamicLossScaler({ enabled: false });
  private readonly rng: Rng;
  private readonly x: tf.Tensor2D; // [N, F]
  private readonly y: tf.Tensor2D; // [N, 3]

  constructor(private readonly opts: ToyOptions) {
    this.stage = opts.stage ?? 'finetune';
    this.totalSteps = opts.steps;
    const f = opts.inFeatures ?? 8;
    const dataRng = new Rng(1234);
    this.rng = new Rng(opts.seed ?? 0);
    this.model = new Linear(f, 3, { rng: new Rng(opts.seed ?? 0) });
    this.optimizer = new AdamW([{ params: this.model.namedParameters().map(([name, variable]) => ({ name, variable })) }], { lr: 0.05, weightDecay: 0.01 });
    const wTrue = tf.tensor2d(dataRng.fillNormal(f * 3), [f, 3]);
    this.x = tf.tensor2d(dataRng.fillNormal(256 * f), [256, f]);
    this.y = tf.tidy(() => tf.matMul(this.x, wTrue));
    wTrue.dispose();
  }

  runStep(): StepRecord {
    const t0 = performance.now();
    const idx = Int32Array.from({ length: 16 }, () => this.rng.nextUint32() % 256);
    const poison = this.opts.poisonFrom !== undefined && this.step >= this.opts.poisonFrom;
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const i = tf.tensor1d(idx, 'int32');
        const err = tf.sub(this.model.forward(tf.gather(this.x, i)), tf.gather(this.y, i));
        const l = tf.mean(tf.square(err)) as tf.Scalar;
        return poison ? (tf.mul(l, Number.NaN) as tf.Scalar) : l;
      }),
    );
    const loss = value.dataSync()[0];
    // fp32 with a NaN loss: the update poisons the weights, as a real blow-up does.
    if (poison) this.poisonWeights();
    else this.optimizer.step(grads);
    tf.dispose([value, ...Object.values(grads)]);
    if (this.opts.stepDelayMs) {
      const until = performance.now() + this.opts.stepDelayMs;
      while (performance.now() < until);
    }
    const rec: StepRecord = { step: this.step, loss, losses: { toy: loss }, gradNorm: null, lossScale: 1, overflow: false, skipped: false, lr: 0.05, stepMs: performance.now() - t0, samples: 16 };
    this.step++;
    return rec;
  }

  snapshot(): StageSnapshot {
    return snapshotParts({ module: this.model, optimizer: this.optimizer, scaler: this.scaler, rng: this.rng }, { step: this.step });
  }

  restore(snap: StageSnapshot, source: string): void {
    const extra = restoreParts({ module: this.model, optimizer: this.optimizer, scaler: this.scaler, rng: this.rng }, snap, source);
    this.step = extra.step as number;
  }

  /** Poisons the weights (NaN) to test that such a state is never checkpointed. */
  poisonWeights(): void {
    const w = this.model.weight;
    w.assign(tf.fill(w.shape as [number, number], Number.NaN));
  }

  async close(): Promise<void> {
    this.optimizer.dispose();
    this.model.dispose();
    tf.dispose([this.x, this.y]);
  }
}
