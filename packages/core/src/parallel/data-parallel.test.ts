import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/init-backend.js';
import { DataParallel } from './data-parallel.js';
import { threadCpuMs } from './thread-cpu.js';
import { batchSize, shardSizes, sliceBatch, type HostBatch } from './replica.js';
import { AdamW } from '../optim/adamw.js';
import { createTinyReplica, TwoHeadNet, type TinyReplicaOptions, type TwoHeadShard } from './tiny-replica.fixture.js';

const FIXTURE = new URL('./tiny-replica.fixture.ts', import.meta.url);
const OPTS: TinyReplicaOptions = { inDim: 12, hidden: 16, classes: 5, seed: 3 };

function makeBatch(n: number, seed: number): HostBatch {
  const x = new Float32Array(n * OPTS.inDim);
  let s = seed;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    x[i] = (s / 2 ** 31) * 4 - 2;
  }
  const y = Int32Array.from({ length: n }, (_, i) => (i * 3 + seed) % OPTS.classes);
  return { x: { data: x, shape: [n, OPTS.inDim] }, y: { data: y, shape: [n] } };
}

/** The same training on one backend in this process, on the whole global batch. */
async function singleWorkerReference(batches: HostBatch[]): Promise<{ losses: number[]; params: Map<string, Float32Array> }> {
  await initBackend({ prefer: 'wasm' });
  const r = createTinyReplica(OPTS);
  const params = (r.parameters as { namedParameters(o: object): Array<[string, tf.Variable]> }).namedParameters({ trainableOnly: true });
  const losses: number[] = [];
  for (const b of batches) {
    const inputs = { x: tf.tensor(b.x.data, b.x.shape), y: tf.tensor(b.y.data, b.y.shape, 'int32') };
    const { value, grads } = tf.variableGrads(() => r.loss(inputs), params.map(([, v]) => v));
    r.optimizer.step(grads);
    losses.push(value.dataSync()[0]);
    tf.dispose([value, ...Object.values(grads), ...Object.values(inputs)]);
  }
  const out = new Map(params.map(([n, v]) => [n, (v.dataSync() as Float32Array).slice()] as const));
  for (const [, v] of params) v.dispose();
  return { losses, params: out };
}

describe('shards', () => {
  it('splits a batch into contiguous shards differing by at most one', () => {
    expect(shardSizes(8, 2)).toEqual([4, 4]);
    expect(shardSizes(7, 3)).toEqual([3, 2, 2]);
    expect(() => shardSizes(1, 2)).toThrow(/batch of 1 cannot feed 2 workers/);
    const b = makeBatch(5, 1);
    const s = sliceBatch(b, 2, 3);
    expect(s.x.shape).toEqual([3, OPTS.inDim]);
    expect(Array.from(s.x.data.slice(0, 2))).toEqual(Array.from(b.x.data.slice(2 * OPTS.inDim, 2 * OPTS.inDim + 2)));
    expect(Array.from(s.y.data)).toEqual(Array.from(b.y.data.slice(2)));
  });

  it('rejects inconsistent batches with the entry name', () => {
    expect(batchSize(makeBatch(4, 1))).toBe(4);
    expect(() => batchSize({ x: { data: new Float32Array(5), shape: [2, 3] } })).toThrow(/"x" has shape \[2,3\] \(6 values\) but 5/);
    const b = makeBatch(4, 1);
    expect(() => batchSize({ ...b, y: { data: new Int32Array(3), shape: [3] } })).toThrow(/"y" has 3 samples, other entries 4/);
  });
});

describe('DataParallel (2 worker threads, wasm)', () => {
  let dp: DataParallel;
  const batches = [makeBatch(6, 1), makeBatch(6, 2), makeBatch(7, 3)]; // 7: unequal shards 4 + 3

  beforeAll(async () => {
    dp = await DataParallel.create({ workers: 2, replicaModule: FIXTURE, replicaExport: 'createTinyReplica', options: OPTS });
  });
  afterAll(async () => {
    await dp?.close();
  });

  it('keeps replicas identical and matches single-worker training on the same global batch', async () => {
    expect(dp.numWorkers).toBe(2);
    expect(dp.layout.map(([n]) => n)).toEqual(['norm.weight', 'norm.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    const losses: number[] = [];
    let afterFirst: number[] = [];
    for (const b of batches) {
      const r = await dp.step(b);
      expect(r.paramHash).toMatch(/^[0-9a-f]{8}$/);
      expect(r.workerMs).toHaveLength(2);
      for (const w of r.workerMs) expect(w.grads).toBeGreaterThan(0);
      losses.push(r.loss);
      if (afterFirst.length === 0) afterFirst = await dp.numTensors(); // AdamW slots exist now
    }
    // 6 parameters + 12 AdamW slots in each worker, stable from step to step: no leaks.
    expect(afterFirst).toEqual([18, 18]);
    expect(await dp.numTensors()).toEqual(afterFirst);
    const p0 = await dp.parameters(0);
    const p1 = await dp.parameters(1);
    for (const [name, v] of p0) expect(Array.from(p1.get(name)!)).toEqual(Array.from(v)); // bit-identical
    const ref = await singleWorkerReference(batches);
    losses.forEach((l, i) => expect(l).toBeCloseTo(ref.losses[i], 5));
    expect(new Set(losses).size).toBe(3);
    for (const [name, v] of ref.params) {
      const got = p0.get(name)!;
      let maxDiff = 0;
      for (let j = 0; j < v.length; j++) maxDiff = Math.max(maxDiff, Math.abs(got[j] - v[j]));
      expect(maxDiff, name).toBeLessThan(1e-5);
    }
  });

  it('rejects a batch too small for the workers', async () => {
    await expect(dp.step(makeBatch(1, 1))).rejects.toThrow(/batch of 1 cannot feed 2 workers/);
  });
});

describe('threadCpuMs', () => {
  it('counts this thread\'s CPU time: a busy loop\'s, within the process total (10 ms ticks)', () => {
    const c0 = threadCpuMs();
    if (c0 === null) return; // not Linux
    const p0 = process.cpuUsage();
    const t0 = performance.now();
    let x = 0;
    while (performance.now() - t0 < 300) x += Math.sqrt(x + 1);
    const used = threadCpuMs()! - c0;
    const p1 = process.cpuUsage(p0);
    const processMs = (p1.user + p1.system) / 1000; // every thread of this process
    expect(x).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(processMs + 20);
    expect(used).toBeGreaterThanOrEqual(processMs * 0.5 - 20); // the loop dominates the process
  });
});

describe('DataParallel errors', () => {
  it('reports a failing replica factory with the worker index', async () => {
    await expect(DataParallel.create({ workers: 1, replicaModule: FIXTURE, replicaExport: 'createBrokenReplica' })).rejects.toThrow(/worker 0: .*broken replica factory/);
  });
  it('reports a missing export', async () => {
    await expect(DataParallel.create({ workers: 1, replicaModule: FIXTURE, replicaExport: 'nope' })).rejects.toThrow(/no exported function "nope"/);
  });
});

describe('DataParallel.stepShards (caller-made shards)', () => {
  it('sums the shards\' gradients (weight 1); a parameter no shard reaches is left alone; metrics and exportState come back', async () => {
    const n = 5;
    const x = Float32Array.from({ length: n * OPTS.inDim }, (_, i) => Math.sin(i * 0.7));
    const t = Float32Array.from({ length: n }, (_, i) => i / n - 0.5);
    const shards: TwoHeadShard[] = [{ head: 'a', x, t }, { head: 'b', x, t }];
    const dp = await DataParallel.create({ workers: 2, replicaModule: FIXTURE, replicaExport: 'createTwoHeadReplica', options: OPTS });
    try {
      const before = await dp.parameters(0);
      const r1 = await dp.stepShards(shards);
      await dp.stepShards(shards);
      expect(r1.metrics.map((m) => m.grads)).toEqual([{ loss_a: -1 }, { loss_b: -1 }]);
      expect(await dp.exportState(1)).toEqual({ numParams: 6 });
      await expect(dp.stepShards([shards[0]])).rejects.toThrow(/1 shards for 2 workers/);
      const got = await dp.parameters(0);
      expect(await dp.checkReplicas()).toMatch(/^[0-9a-f]{8}$/);
      // reference: one process, loss_a + loss_b on the same data, same optimizer
      await initBackend({ prefer: 'wasm' });
      const ref = new TwoHeadNet(OPTS);
      const opt = new AdamW(ref, { lr: 1e-2, weightDecay: 0.1 });
      const vars = ref.namedParameters({ trainableOnly: true });
      let losses = [0, 0];
      for (let s = 0; s < 2; s++) {
        const { value, grads } = tf.variableGrads(() => {
          const xt = tf.tensor2d(x, [n, OPTS.inDim]);
          const la = tf.losses.meanSquaredError(tf.tensor1d(t), ref.a.forward(xt).reshape([-1]));
          const lb = tf.losses.meanSquaredError(tf.tensor1d(t), ref.b.forward(xt).reshape([-1]));
          return tf.add(la, lb) as tf.Scalar;
        }, vars.map(([, v]) => v));
        expect(Object.keys(grads)).toHaveLength(4); // a.*, b.*; not unused.*
        opt.step(grads);
        losses[s] = value.dataSync()[0];
        tf.dispose([value, ...Object.values(grads)]);
      }
      expect(losses[1]).toBeLessThan(losses[0]);
      for (const [name, v] of vars) {
        const g = got.get(name)!;
        const want = v.dataSync();
        let maxDiff = 0;
        for (let j = 0; j < g.length; j++) maxDiff = Math.max(maxDiff, Math.abs(g[j] - want[j]));
        expect(maxDiff, name).toBeLessThan(1e-6);
        // a and b moved; `unused` did not (no zero-gradient weight decay on it)
        const moved = Array.from(g).some((val, j) => val !== before.get(name)![j]);
        expect(moved, name).toBe(!name.startsWith('unused.'));
      }
      ref.dispose();
      opt.dispose();
    } finally {
      await dp.close();
    }
  });
});
