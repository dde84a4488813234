import { describe, expect, it } from 'vitest';
import { CanvasPool } from './canvas-pool.js';

describe('CanvasPool', () => {
  it('hands a given buffer back for a canvas of the same byte length, else a new one', () => {
    const pool = new CanvasPool(4);
    const a = new Float32Array(1000);
    expect(pool.give(a)).toBe(true);
    expect(pool.size).toBe(1);
    const other = pool.take(999); // different size: fresh
    expect(other.buffer).not.toBe(a.buffer);
    expect(other.length).toBe(999);
    const same = pool.take(1000);
    expect(same.buffer).toBe(a.buffer);
    expect(same.length).toBe(1000);
    expect(pool.size).toBe(0);
    expect(pool.take(1000).buffer).not.toBe(a.buffer); // taken already
  });

  it('keeps only whole, unshared buffers, once each, up to its bound', () => {
    const pool = new CanvasPool(2);
    const big = new ArrayBuffer(64);
    expect(pool.give(new Float32Array(big, 16, 4))).toBe(false); // a view into a larger buffer
    expect(pool.give(new Float32Array(0))).toBe(false);
    const a = new Float32Array(16);
    expect(pool.give(a)).toBe(true);
    expect(pool.give(a)).toBe(false); // released twice
    expect(pool.give(new Uint8Array(32).buffer)).toBe(true); // plain ArrayBuffers too
    expect(pool.give(new Float32Array(8))).toBe(false); // full
    expect(pool.size).toBe(2);
    expect(() => new CanvasPool(-1)).toThrow(/maxBuffers must be a non-negative integer/);
  });

  it('drain() moves buffers out, largest sizes first and round-robin over sizes', () => {
    const pool = new CanvasPool(8);
    const small = [new Float32Array(4), new Float32Array(4), new Float32Array(4)];
    const large = [new Float32Array(12), new Float32Array(12)];
    for (const a of [...small, ...large]) pool.give(a);
    const out = pool.drain(3);
    expect(out.map((b) => b.byteLength)).toEqual([48, 16, 48]);
    expect(pool.size).toBe(2);
    expect(pool.drain(10).map((b) => b.byteLength)).toEqual([16, 16]);
    expect(pool.size).toBe(0);
    expect(pool.drain(1)).toEqual([]);
  });
});
