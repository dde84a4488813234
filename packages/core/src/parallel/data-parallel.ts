// Data-parallel training over worker threads. tfjs-backend-wasm runs single-threaded in Node, so
// a second core only helps with a second backend: each worker thread holds its own wasm backend
// and model replica, trains on its shard of the global batch, and the gradients are summed
// through a SharedArrayBuffer before every worker applies the same update. The main thread only
// splits batches and coordinates; it needs no tfjs backend of its own.
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { BackendPreference } from '../backend/backend-name.js';
import type { ToMain, ToWorker } from './messages.js';
import { batchSize, shardSizes, sliceBatch, type HostBatch } from './replica.js';

export interface DataParallelOptions {
  /** Worker threads (each a backend + replica); default 2. */
  workers?: number;
  /** ES module (absolute path or file URL) exporting the replica factory. */
  replicaModule: string | URL;
  /** Name of the factory export; default 'createReplica'. */
  replicaExport?: string;
  /** Structured-cloneable options passed to the factory in every worker. */
  options?: unknown;
  /** Backend of every worker; default 'wasm'. */
  backend?: BackendPreference;
  /** Compare a hash of every replica's parameters after every N steps (0 = never); default 1. */
  checkEvery?: number;
}

export interface DataParallelStep {
  /** Mean loss over the global batch (Σ n_i/N · loss_i). */
  loss: number;
  /** The hash all replicas agreed on, when checked this step. */
  paramHash?: string;
  /**
   * Per worker, wall ms of forward + backward + writing its gradients (`grads`) and of summing +
   * optimizer step (`apply`); `cpu`: that thread's CPU ms for both (Linux; null elsewhere).
   */
  workerMs: Array<{ grads: number; apply: number; cpu: number | null }>;
  /** Per worker, the replica's `metrics()` after its gradient phase and after its optimizer step. */
  metrics: Array<{ grads?: Record<string, number>; apply?: Record<string, number> }>;
}

interface Pending {
  resolve: (m: ToMain) => void;
  reject: (e: Error) => void;
}

/** One worker thread and a queue of replies (each request gets exactly one reply, in order). */
class ReplicaWorker {
  private readonly queue: Pending[] = [];
  private failure: Error | null = null;
  readonly ready: Promise<ToMain>;

  constructor(readonly worker: Worker, readonly index: number) {
    this.ready = new Promise((resolve, reject) => this.queue.push({ resolve, reject }));
    worker.on('message', (m: ToMain) => {
      const p = this.queue.shift();
      if (!p) return;
      if (m.type === 'error') p.reject(new Error(`DataParallel worker ${index}: ${m.message}`));
      else p.resolve(m);
    });
    const fail = (e: Error) => {
      this.failure = e;
      for (const p of this.queue.splice(0)) p.reject(e);
    };
    worker.on('error', (e) => fail(new Error(`DataParallel worker ${index} crashed: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`DataParallel worker ${index} exited (code ${code})`)));
  }

  request(msg: ToWorker): Promise<ToMain> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject });
      this.worker.postMessage(msg);
    });
  }
}

/** How a worker starts: from dist, the built replica-worker.js; from TypeScript source (tests,
 *  tsx) a bootstrap that registers tsx in the worker first (Node 20 does not hand a parent's
 *  `--import` loader to workers) and adds the `@babelrs/source` condition. */
function workerEntry(): { script: string | URL; eval: boolean; execArgv: string[]; entry: string } {
  if (!import.meta.url.endsWith('.ts')) {
    const url = new URL('./replica-worker.js', import.meta.url);
    return { script: url, eval: false, execArgv: [], entry: url.href };
  }
  const tsxPkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const exportsMap = (JSON.parse(readFileSync(tsxPkg, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  const tsxApi = new URL(exportsMap['./esm/api'].import.default, pathToFileURL(tsxPkg)).href; // the ESM build
  const script = `const { workerData } = require('node:worker_threads');
import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(workerData.entry); })
  .catch((e) => { require('node:worker_threads').parentPort.postMessage({ type: 'error', message: String(e && e.stack || e) }); });`;
  return { script, eval: true, execArgv: ['--conditions=@babelrs/source'], entry: new URL('./replica-worker.ts', import.meta.url).href };
}

export class DataParallel {
  private steps = 0;

  private constructor(
    private readonly workers: ReplicaWorker[],
    /** Parameter names and shapes, identical in every replica. */
    readonly layout: ReadonlyArray<readonly [string, readonly number[]]>,
    private readonly checkEvery: number,
  ) {}

  get numWorkers(): number {
    return this.workers.length;
  }

  /** Starts the workers, builds a replica in each, and copies worker 0's parameters to all. */
  static async create(opts: DataParallelOptions): Promise<DataParallel> {
    const n = opts.workers ?? 2;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`DataParallel: workers must be an integer ≥ 1, got ${opts.workers}`);
    const checkEvery = opts.checkEvery ?? 1;
    const replicaModule = opts.replicaModule instanceof URL ? opts.replicaModule.href : opts.replicaModule.startsWith('file:') ? opts.replicaModule : pathToFileURL(opts.replicaModule).href;
    const boot = workerEntry();
    const workers = Array.from({ length: n }, (_, index) => {
      const w = new Worker(boot.script, {
        eval: boot.eval,
        execArgv: boot.execArgv,
        workerData: { entry: boot.entry, index, workers: n, replicaModule, replicaExport: opts.replicaExport ?? 'createReplica', options: opts.options, backend: opts.backend ?? 'wasm' },
      });
      return new ReplicaWorker(w, index);
    });
    try {
      const layouts = (await Promise.all(workers.map((w) => w.ready))) as Array<Extract<ToMain, { type: 'ready' }>>;
      const layout = layouts[0].layout;
      layouts.forEach((l, i) => {
        if (JSON.stringify(l.layout) !== JSON.stringify(layout)) throw new Error(`DataParallel: replica ${i} has other parameters (names/shapes) than replica 0`);
      });
      const total = layout.reduce((s, [, shape]) => s + shape.reduce((p, d) => p * d, 1), 0);
      const grads = new SharedArrayBuffer(4 * total * n);
      const params = new SharedArrayBuffer(4 * total);
      const present = new SharedArrayBuffer(layout.length * n);
      await Promise.all(workers.map((w) => w.request({ type: 'buffers', grads, params, present })));
      // Replicas built from the same seed are equal already; the copy makes it a guarantee.
      await workers[0].request({ type: 'write-params' });
      await Promise.all(workers.slice(1).map((w) => w.request({ type: 'read-params' })));
      const dp = new DataParallel(workers, layout, checkEvery);
      if (checkEvery > 0) await dp.checkReplicas();
      return dp;
    } catch (e) {
      await Promise.all(workers.map((w) => w.worker.terminate()));
      throw e;
    }
  }

  /**
   * One training step on the global batch: shards go to the workers (contiguous, sizes differ by
   * at most one), gradients are weighted by shard size and summed, every replica steps.
   */
  async step(batch: HostBatch): Promise<DataParallelStep> {
    const total = batchSize(batch);
    const sizes = shardSizes(total, this.workers.length);
    let start = 0;
    const shards = sizes.map((size) => {
      const shard = sliceBatch(batch, start, size);
      start += size;
      return { batch: shard, weight: size / total };
    });
    return this.run(shards);
  }

  /**
   * One training step on shards the caller made: worker i gets `shards[i]` (structured-cloned) as
   * the `payload` of its replica's `loss(batch = {}, payload)`; its gradient is scaled by
   * `weights[i]` (default 1: the replicas' losses are summed) before the sum over workers.
   */
  async stepShards(shards: readonly unknown[], weights?: readonly number[]): Promise<DataParallelStep> {
    if (shards.length !== this.workers.length) throw new RangeError(`DataParallel.stepShards: ${shards.length} shards for ${this.workers.length} workers`);
    if (weights && weights.length !== shards.length) throw new RangeError(`DataParallel.stepShards: ${weights.length} weights for ${shards.length} shards`);
    return this.run(shards.map((payload, i) => ({ batch: {}, weight: weights?.[i] ?? 1, payload })));
  }

  private async run(shards: Array<{ batch: HostBatch; weight: number; payload?: unknown }>): Promise<DataParallelStep> {
    const losses = await Promise.all(this.workers.map((w, i) => w.request({ type: 'grads', ...shards[i] })));
    const applied = await Promise.all(this.workers.map((w) => w.request({ type: 'apply' })));
    this.steps++;
    const lossMsgs = losses as Array<Extract<ToMain, { type: 'loss' }>>;
    const loss = lossMsgs.reduce((s, m) => s + m.loss, 0);
    const workerMs = lossMsgs.map((m, i) => {
      const a = applied[i] as Extract<ToMain, { type: 'ok' }>;
      const cpu = m.cpuMs === null || a.cpuMs === null || a.cpuMs === undefined ? null : m.cpuMs + a.cpuMs;
      return { grads: m.ms, apply: a.ms ?? 0, cpu };
    });
    const metrics = lossMsgs.map((m, i) => ({ grads: m.metrics, apply: (applied[i] as Extract<ToMain, { type: 'ok' }>).metrics }));
    if (this.checkEvery > 0 && this.steps % this.checkEvery === 0) return { loss, paramHash: await this.checkReplicas(), workerMs, metrics };
    return { loss, workerMs, metrics };
  }

  /** Hash of every replica's parameters; throws if any replica differs from replica 0. */
  async checkReplicas(): Promise<string> {
    const hashes = (await Promise.all(this.workers.map((w) => w.request({ type: 'hash' })))).map((m) => (m as Extract<ToMain, { type: 'hash' }>).hash);
    const bad = hashes.findIndex((h) => h !== hashes[0]);
    if (bad >= 0) throw new Error(`DataParallel: replica ${bad} parameters differ from replica 0 (hash ${hashes[bad]} vs ${hashes[0]}) after ${this.steps} steps`);
    return hashes[0];
  }

  /** Copies of one replica's parameters, by name. */
  async parameters(worker = 0): Promise<Map<string, Float32Array>> {
    const w = this.workers[worker];
    if (!w) throw new RangeError(`DataParallel.parameters: no worker ${worker} (have ${this.workers.length})`);
    const m = (await w.request({ type: 'params' })) as Extract<ToMain, { type: 'params' }>;
    return new Map(m.params);
  }

  /** The replica's `exportState()` snapshot (e.g. optimizer moments for a checkpoint). */
  async exportState(worker = 0): Promise<unknown> {
    const w = this.workers[worker];
    if (!w) throw new RangeError(`DataParallel.exportState: no worker ${worker} (have ${this.workers.length})`);
    return ((await w.request({ type: 'export' })) as Extract<ToMain, { type: 'export' }>).state;
  }

  /** Live tensors in each worker's tfjs engine (leak checks). */
  async numTensors(): Promise<number[]> {
    return (await Promise.all(this.workers.map((w) => w.request({ type: 'memory' })))).map((m) => (m as Extract<ToMain, { type: 'memory' }>).numTensors);
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
