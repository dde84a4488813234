/**
 * Typed arrays that grow by doubling, so readers append rows without one object per row
 * (a million detections stay ~60 MB of typed arrays instead of ~500 MB of objects).
 */
type TypedCtor<T> = { new (n: number): T };

export class Growable<T extends Float64Array | Int32Array | Uint8Array> {
  private buf: T;
  length = 0;

  constructor(
    private readonly ctor: TypedCtor<T>,
    /** Values per row. */
    private readonly width = 1,
    /** Rows to make room for at once (a reader's estimate saves the doubling copies). */
    initialRows = 1024,
  ) {
    this.buf = new ctor(Math.max(1, initialRows) * width);
  }

  /** Index of a new row's first value; the caller writes `width` values from there. */
  pushRow(): number {
    const at = this.length * this.width;
    if (at + this.width > this.buf.length) {
      const next = new this.ctor(this.buf.length * 2);
      (next as Float64Array).set(this.buf as Float64Array);
      this.buf = next;
    }
    this.length++;
    return at;
  }

  push(v: number): void {
    // Not `this.buf[this.pushRow()] = v`: JS evaluates `this.buf` first, so on a doubling the
    // value went into the old buffer and the row stayed 0 (one row lost per doubling).
    const at = this.pushRow();
    this.buf[at] = v;
  }

  get data(): T {
    return this.buf;
  }

  /**
   * The filled part, as a view (no copy of millions of rows). The slack after it is at most the
   * filled size and was never written: zero-filled pages the OS has not committed, so it costs
   * address space, not resident memory. A nearly empty buffer is copied instead.
   */
  finish(): T {
    const n = this.length * this.width;
    const buf = this.buf as Float64Array;
    return (2 * n >= buf.length ? buf.subarray(0, n) : buf.slice(0, n)) as T;
  }

  /** Rows `order[i]`, packed in that order; then releases this column's buffer. */
  gather(order: Int32Array): T {
    const w = this.width;
    const src = this.buf as Float64Array;
    const out = new this.ctor(order.length * w) as unknown as Float64Array;
    if (w === 1) for (let i = 0; i < order.length; i++) out[i] = src[order[i]];
    else {
      for (let i = 0; i < order.length; i++) {
        const s = order[i] * w;
        for (let k = 0; k < w; k++) out[i * w + k] = src[s + k];
      }
    }
    this.buf = new this.ctor(0);
    this.length = 0;
    return out as unknown as T;
  }
}
