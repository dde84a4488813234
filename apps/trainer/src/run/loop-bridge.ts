/**
 * Turns a library's training loop with hooks (`onStep` awaited after every step, `shouldStop`
 * asked before every step — the shape of @babelrs/detector's `fineTune` and @babelrs/csia's
 * `pretrain`) into a pull-style "give me the next step" API, so one runner (checkpoints, Ctrl-C,
 * NaN policy, progress) drives every stage. While the runner holds a step, the loop is paused
 * inside `onStep`: that is when a snapshot of its state is consistent.
 */
export interface LoopHooks<I> {
  onStep: (info: I) => Promise<void>;
  shouldStop: () => boolean;
}

export class LoopBridge<I, R = unknown> {
  private started = false;
  private waiting: { resolve: (info: I | undefined) => void; reject: (err: unknown) => void } | undefined;
  private gate: (() => void) | undefined;
  private stopping = false;
  private done: Promise<R> | undefined;
  private ended = false;
  private failure: { err: unknown } | undefined;
  result: R | undefined;

  constructor(private readonly startLoop: (hooks: LoopHooks<I>) => Promise<R>) {}

  /** Runs the loop up to its next step; undefined once the loop has returned. */
  next(): Promise<I | undefined> {
    if (this.failure) return Promise.reject(this.failure.err);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise<I | undefined>((resolve, reject) => {
      this.waiting = { resolve, reject };
      if (!this.started) this.start();
      else this.release();
    });
  }

  /** Asks the loop to stop, lets it return, and waits for it (errors after a stop are rethrown). */
  async finish(): Promise<R | undefined> {
    this.stopping = true;
    if (!this.started || this.ended) return this.result;
    this.release();
    try {
      return await this.done;
    } catch (err) {
      if (this.failure?.err === err) return this.result;
      throw err;
    }
  }

  private start(): void {
    this.started = true;
    const hooks: LoopHooks<I> = {
      onStep: (info) =>
        new Promise<void>((resume) => {
          this.gate = resume;
          const w = this.waiting;
          this.waiting = undefined;
          w?.resolve(info);
        }),
      shouldStop: () => this.stopping,
    };
    this.done = this.startLoop(hooks);
    this.done.then(
      (r) => {
        this.result = r;
        this.ended = true;
        const w = this.waiting;
        this.waiting = undefined;
        w?.resolve(undefined);
      },
      (err: unknown) => {
        this.ended = true;
        this.failure = { err };
        const w = this.waiting;
        this.waiting = undefined;
        w?.reject(err);
      },
    );
  }

  private release(): void {
    const g = this.gate;
    this.gate = undefined;
    g?.();
  }
}
