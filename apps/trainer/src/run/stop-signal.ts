/**
 * Ctrl-C handling: the first SIGINT/SIGTERM asks the running stage to stop at the next step
 * boundary (it saves a checkpoint and the command exits 130); a second one exits at once.
 */
export class StopSignal {
  requested: string | undefined;
  private readonly handlers: Array<[NodeJS.Signals, () => void]> = [];

  /** Listens to SIGINT and SIGTERM until `dispose`. */
  install(onSecond: () => void = () => process.exit(130)): this {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const h = () => {
        if (this.requested !== undefined) onSecond();
        this.requested = sig;
        process.stderr.write(`\nbabelrs: ${sig} received: saving a checkpoint at the end of this step (press Ctrl-C again to quit at once)\n`);
      };
      process.on(sig, h);
      this.handlers.push([sig, h]);
    }
    return this;
  }

  request(reason = 'stop'): void {
    this.requested = reason;
  }

  dispose(): void {
    for (const [sig, h] of this.handlers) process.off(sig, h);
    this.handlers.length = 0;
  }
}
