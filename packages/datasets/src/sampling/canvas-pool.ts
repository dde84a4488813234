/**
 * Reusable output canvases for the loader. An 800×800×3 float32 image is 7.7 MB: allocated
 * fresh for every image, its first write page-faults through fresh memory and the external
 * memory churn drives extra garbage collections, together costing more CPU than the resize.
 * Batches the consumer hands back (`LoadedBatch.release()`) go into this pool, and the loader
 * (or its worker threads, which get buffers moved to them with their jobs) draws canvases from
 * it. Buffers are matched by exact byte length; the pool is bounded so it never hoards memory.
 */
import { allocateCanvas } from '../transforms/fused-render.js';

export class CanvasPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private count = 0;

  /** `maxBuffers`: buffers kept at most (beyond that, given buffers are dropped for the GC). */
  constructor(readonly maxBuffers = 32) {
    if (!(Number.isInteger(maxBuffers) && maxBuffers >= 0)) throw new RangeError(`CanvasPool: maxBuffers must be a non-negative integer, got ${maxBuffers}`);
  }

  /** Buffers held now. */
  get size(): number {
    return this.count;
  }

  /** A canvas of `length` floats: a pooled buffer of that size if there is one, else a new one (contents undefined). */
  readonly take = (length: number): Float32Array => {
    const list = this.free.get(length * 4);
    const buf = list?.pop();
    if (!buf) return allocateCanvas(length);
    this.count--;
    return new Float32Array(buf, 0, length);
  };

  /**
   * Gives back a buffer for reuse. Only whole, unshared, non-detached ArrayBuffers are kept
   * (a view into a larger buffer, e.g. Node's small-buffer pool, is ignored); returns whether it was kept.
   */
  give(data: ArrayBufferView | ArrayBuffer): boolean {
    const view = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    const buf = view.buffer;
    if (!(buf instanceof ArrayBuffer) || buf.byteLength === 0 || view.byteOffset !== 0 || view.byteLength !== buf.byteLength) return false;
    if (this.count >= this.maxBuffers) return false;
    const list = this.free.get(buf.byteLength);
    if (list?.includes(buf)) return false; // released twice
    if (list) list.push(buf);
    else this.free.set(buf.byteLength, [buf]);
    this.count++;
    return true;
  }

  /** Removes up to `n` buffers (largest sizes first, round-robin over sizes) to move them elsewhere, e.g. to a worker. */
  drain(n: number): ArrayBuffer[] {
    const out: ArrayBuffer[] = [];
    const sizes = [...this.free.keys()].sort((a, b) => b - a);
    while (out.length < n && this.count > 0) {
      for (const size of sizes) {
        const buf = this.free.get(size)?.pop();
        if (!buf) continue;
        out.push(buf);
        this.count--;
        if (out.length === n) break;
      }
    }
    return out;
  }
}
