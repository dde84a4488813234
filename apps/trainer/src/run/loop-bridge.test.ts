import { describe, expect, it } from 'vitest';
import { LoopBridge, type LoopHooks } from './loop-bridge.js';

/** A loop like fineTune's: `steps` steps, onStep awaited, shouldStop asked first. */
async function loop(steps: number, hooks: LoopHooks<number>, trace: string[], failAt?: number): Promise<string> {
  let s = 0;
  while (s < steps) {
    if (hooks.shouldStop()) return `stopped at ${s}`;
    trace.push(`compute ${s}`);
    if (s === failAt) throw new Error(`boom at ${s}`);
    s++;
    await hooks.onStep(s);
  }
  return `done at ${s}`;
}

describe('LoopBridge', () => {
  it('hands out one step per call and holds the loop in between', async () => {
    const trace: string[] = [];
    const b = new LoopBridge<number, string>((h) => loop(5, h, trace));
    expect(await b.next()).toBe(1);
    expect(await b.next()).toBe(2);
    expect(trace).toEqual(['compute 0', 'compute 1']); // step 3 not computed yet
    expect(await b.finish()).toBe('stopped at 2');
  });

  it('reports the end of the loop and its result', async () => {
    const b = new LoopBridge<number, string>((h) => loop(2, h, []));
    expect(await b.next()).toBe(1);
    expect(await b.next()).toBe(2);
    expect(await b.next()).toBeUndefined();
    expect(b.result).toBe('done at 2');
    expect(await b.finish()).toBe('done at 2');
  });

  it('passes an error thrown inside the loop to the caller of next', async () => {
    const b = new LoopBridge<number, string>((h) => loop(5, h, [], 1));
    expect(await b.next()).toBe(1);
    await expect(b.next()).rejects.toThrow('boom at 1');
    await expect(b.next()).rejects.toThrow('boom at 1');
  });
});
