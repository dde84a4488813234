import { describe, expect, it } from 'vitest';
import { Prng, hashSeed, prngFor } from './prng.js';

describe('Prng (mulberry32)', () => {
  it('reproduces the reference mulberry32 stream for a raw state', () => {
    // Reference: the published mulberry32 with state a = hashSeed(1), computed independently below.
    let a = hashSeed(1);
    const ref = () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const r = new Prng(1);
    for (let i = 0; i < 5; i++) expect(r.next()).toBe(ref());
  });
  it('is deterministic per seed and differs between seeds', () => {
    const a = Array.from({ length: 8 }, ((r) => () => r.nextUint32())(new Prng(3)));
    const b = Array.from({ length: 8 }, ((r) => () => r.nextUint32())(new Prng(3)));
    const c = Array.from({ length: 8 }, ((r) => () => r.nextUint32())(new Prng(4)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
  it('has roughly uniform output and unbiased int ranges', () => {
    const r = new Prng(11);
    const counts = [0, 0, 0, 0];
    let sum = 0;
    for (let i = 0; i < 4000; i++) {
      counts[r.int(0, 3)]++;
      sum += r.next();
    }
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
    expect(Math.abs(sum / 4000 - 0.5)).toBeLessThan(0.02);
  });
  it('shuffle is a permutation; prngFor streams are independent of each other', () => {
    const xs = new Prng(2).shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...xs].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(prngFor(1, 0).next()).not.toBe(prngFor(1, 1).next());
    expect(prngFor(1, 2, 3).next()).toBe(prngFor(1, 2, 3).next());
  });
  it('rejects a non-finite seed', () => {
    expect(() => new Prng(Number.NaN)).toThrow(/finite/);
  });

  it('fromState gives the plain mulberry32 sequence (values of the reference algorithm, also for states ≥ 2^31)', () => {
    const a = Prng.fromState(1);
    expect([0, 1, 2, 3, 4].map(() => a.next())).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522, 0.9810509674716741, 0.9683778982143849]);
    const b = Prng.fromState(0xfffffff0);
    expect([0, 1, 2].map(() => b.next())).toEqual([0.8736195750534534, 0.6622341722249985, 0.8231762400828302]);
    expect(() => Prng.fromState(Number.NaN)).toThrow(/state must be a finite number/);
  });
});
