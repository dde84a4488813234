// TEST SUPPORT ONLY, preloaded with `node --import`: once the CLI has installed its error
// boundary (a listener on 'uncaughtException'), an error is thrown from a timer callback — as
// tfjs-wasm does when a kernel fails inside its own callbacks.
const on = process.on.bind(process);
let armed = false;
process.on = ((event: string, listener: (...a: unknown[]) => void) => {
  on(event as 'uncaughtException', listener as never);
  if (event === 'uncaughtException' && !armed && process.listenerCount('uncaughtException') > 0) {
    armed = true;
    setTimeout(() => {
      throw new RangeError('kernel failed inside a tfjs callback');
    }, 0);
  }
  return process;
}) as typeof process.on;
