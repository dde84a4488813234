/**
 * A prefetching loader: while the model trains on batch b, worker threads already decode and
 * transform batches b+1 … b+prefetch, so data never starves the step.
 *
 * - Work unit: one batch per worker job; a pool of `workers` threads.
 * - Bounded: at most `prefetch` batches are in flight or waiting to be consumed.
 * - Ordered: batches come out in sampler order whatever finishes first.
 * - Deterministic: item seeds derive from (seed, batch number, slot), not from which worker
 *   ran it, so any worker count (0 included) gives identical batches.
 * - Errors: a failing sample rejects its batch with a `LoaderError` naming the sample; that
 *   ends the stream (workers stopped, later `next()` calls report done).
 * - `workers: 0` runs the same code in-process (sharp still decodes off the main JS thread).
 * - Recycling: `batch.release()` hands a consumed batch's image buffers back; later batches
 *   are written into them (moved to the worker threads with their jobs) instead of into fresh
 *   memory, which saves the page faults and garbage collections of ~8 MB per 800 px image.
 */
import type { Worker } from 'node:worker_threads';
import type { DetectionSample } from '../sample.js';
import { buildPipeline, type Transform, type TransformItem, type TransformSpec } from '../transforms/index.js';
import { CanvasPool } from './canvas-pool.js';
import { LoaderError, loadBatchItems } from './load-item.js';
import { spawnLoaderWorker, type LoaderJob, type LoaderReply } from './loader-worker.js';
import { hashSeed } from './prng.js';

/** Released canvases the loader keeps at most (a bound, not a target: each job takes some away). */
const MAIN_POOL_BUFFERS = 64;

export interface PrefetchLoaderOptions {
  samples: readonly DetectionSample[];
  /** Batches of indices into `samples` (a sampler; may be infinite). */
  batches: Iterable<number[]>;
  /** Transform pipeline as data (it is rebuilt inside each worker). Default: none. */
  pipeline?: readonly TransformSpec[];
  seed?: number;
  /** Worker threads; 0 = in-process (default 2). */
  workers?: number;
  /** Batches decoded ahead of the consumer (default 2 per worker, at least 2). */
  prefetch?: number;
  /**
   * Run the pipeline as one fused pass over the decoder's samples when its shape allows
   * (default true; bit-identical to the step-wise run, which `false` forces).
   */
  fusedPipeline?: boolean;
}

export interface LoadedBatch {
  /** Position in the batch stream (0-based). */
  batch: number;
  indices: number[];
  /** Transformed images, samples (boxes in input coordinates) and their geometry. */
  items: TransformItem[];
  /**
   * Gives the images' buffers back to the loader for reuse by later batches. Call it once the
   * pixels have been copied out (e.g. into a tensor); the items' image data must not be read
   * afterwards, since a later batch overwrites it. Optional; calling it twice does nothing.
   */
  release(): void;
}

export class PrefetchLoader implements AsyncIterableIterator<LoadedBatch> {
  readonly workers: number;
  readonly prefetch: number;
  private readonly samples: readonly DetectionSample[];
  private readonly source: Iterator<number[]>;
  private readonly seed: number;
  private readonly pool: WorkerPool | null;
  private readonly inline: Transform | null;
  private readonly fused: boolean;
  private readonly canvases = new CanvasPool(MAIN_POOL_BUFFERS);
  private readonly slots = new Map<number, Promise<LoadedBatch>>();
  private dispatched = 0;
  private delivered = 0;
  private sourceDone = false;
  private closed = false;

  constructor(opts: PrefetchLoaderOptions) {
    this.samples = opts.samples;
    this.source = opts.batches[Symbol.iterator]();
    this.seed = opts.seed ?? 0;
    this.workers = opts.workers ?? 2;
    if (!(Number.isInteger(this.workers) && this.workers >= 0)) throw new RangeError(`PrefetchLoader: workers must be a non-negative integer, got ${this.workers}`);
    this.prefetch = opts.prefetch ?? Math.max(2, 2 * this.workers);
    if (!(Number.isInteger(this.prefetch) && this.prefetch >= 1)) throw new RangeError(`PrefetchLoader: prefetch must be a positive integer, got ${this.prefetch}`);
    const pipeline = opts.pipeline ?? [];
    // Built here even when workers run it: a bad spec fails now, in the caller's stack.
    const built = buildPipeline(pipeline);
    this.fused = opts.fusedPipeline ?? true;
    this.pool = this.workers > 0 ? new WorkerPool(this.workers, pipeline, this.fused) : null;
    this.inline = this.workers > 0 ? null : built;
    this.fill();
  }

  async next(): Promise<IteratorResult<LoadedBatch>> {
    if (this.closed) return { done: true, value: undefined };
    const p = this.slots.get(this.delivered);
    if (!p) return { done: true, value: undefined };
    this.slots.delete(this.delivered++);
    this.fill();
    try {
      return { done: false, value: await p };
    } catch (err) {
      // close() while this batch was pending: the stream simply ended.
      if (this.closed) return { done: true, value: undefined };
      // A failed batch ends the stream. A `for await` loop that throws never calls return(),
      // so stop the workers here; otherwise they would keep decoding for a consumer that is gone.
      await this.close();
      throw err;
    }
  }

  /** Stops the workers; batches still in flight are dropped (a pending `next()` reports done). Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.slots.clear();
    await this.pool?.terminate();
  }

  async return(): Promise<IteratorResult<LoadedBatch>> {
    await this.close();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<LoadedBatch> {
    return this;
  }

  private fill(): void {
    while (!this.closed && !this.sourceDone && this.dispatched - this.delivered < this.prefetch) {
      const r = this.source.next();
      if (r.done) {
        this.sourceDone = true;
        break;
      }
      const b = this.dispatched++;
      const p = this.load(b, r.value);
      // Rejections surface when the consumer reaches this batch; don't let them go unhandled before.
      p.catch(() => undefined);
      this.slots.set(b, p);
    }
  }

  private async load(batch: number, indices: number[]): Promise<LoadedBatch> {
    const samples = indices.map((i) => {
      const s = this.samples[i];
      if (!s) throw new RangeError(`PrefetchLoader: batch ${batch} asks for index ${i}, dataset has ${this.samples.length} samples`);
      return s;
    });
    const seeds = indices.map((_, slot) => hashSeed(this.seed, batch, slot));
    let items: TransformItem[];
    // Spare canvases go with a worker's job (two per image, of mixed sizes); the unused come back with its reply.
    if (this.pool) items = await this.pool.run(samples, seeds, this.canvases.drain(2 * samples.length), (spare) => this.recycle(spare));
    else items = await loadBatchItems(samples, this.inline as Transform, seeds, { fused: this.fused, allocate: this.canvases.take });
    let released = false;
    const release = (): void => {
      if (released || this.closed) return;
      released = true;
      for (const it of items) this.canvases.give(it.image.data);
    };
    return { batch, indices, items, release };
  }

  private recycle(spare: readonly ArrayBuffer[]): void {
    if (!this.closed) for (const buf of spare) this.canvases.give(buf);
  }
}

interface PendingJob {
  job: LoaderJob;
  recycle: (spare: ArrayBuffer[]) => void;
  resolve: (items: TransformItem[]) => void;
  reject: (err: Error) => void;
}

/** A fixed set of loader workers with a FIFO of jobs (bounded by the loader's prefetch). */
class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: PendingJob[] = [];
  private readonly running = new Map<Worker, PendingJob>();
  private nextJobId = 0;
  private failure: Error | null = null;
  private terminating = false;

  constructor(n: number, pipeline: readonly TransformSpec[], fused: boolean) {
    for (let i = 0; i < n; i++) {
      const w = spawnLoaderWorker({ pipeline, fused });
      w.on('message', (reply: LoaderReply) => this.onReply(w, reply));
      w.on('error', (err) => this.onCrash(err));
      // A worker that dies without an 'error' (killed, out of memory) must not hang the loader.
      w.on('exit', (code) => {
        if (!this.terminating) this.onCrash(new Error(`exited unexpectedly with code ${code}`));
      });
      // An idle worker must not keep the process alive (e.g. if the user forgets close()).
      w.unref();
      this.all.push(w);
      this.idle.push(w);
    }
  }

  run(samples: DetectionSample[], seeds: number[], spare: ArrayBuffer[], recycle: (spare: ArrayBuffer[]) => void): Promise<TransformItem[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { type: 'job', jobId: this.nextJobId++, samples, seeds, spare }, recycle, resolve, reject });
      this.dispatch();
    });
  }

  async terminate(): Promise<void> {
    this.terminating = true;
    const closed = new Error('PrefetchLoader closed');
    this.failAll(closed);
    await Promise.all(this.all.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop() as Worker;
      const p = this.queue.shift() as PendingJob;
      this.running.set(w, p);
      w.ref();
      w.postMessage(p.job, p.job.spare ?? []);
    }
  }

  private onReply(w: Worker, reply: LoaderReply): void {
    const p = this.running.get(w);
    if (!p) return;
    this.running.delete(w);
    w.unref();
    this.idle.push(w);
    p.recycle(reply.spare);
    if (reply.type === 'result') p.resolve(reply.items);
    else p.reject(new LoaderError(reply.sampleId, reply.imagePath, reply.reason));
    this.dispatch();
  }

  private onCrash(err: Error): void {
    this.failAll(new Error(`PrefetchLoader: a worker thread crashed: ${err.message}`));
  }

  private failAll(err: Error): void {
    this.failure ??= err;
    for (const p of [...this.running.values(), ...this.queue]) p.reject(err);
    this.running.clear();
    this.queue.length = 0;
  }
}
