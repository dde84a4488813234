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
  ) {
    this.buf = new ctor(1024 * width);
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
    this.buf[this.pushRow()] = v;
  }

  get data(): T {
    return this.buf;
  }

  /** The filled part, trimmed (a copy, so the doubling slack is freed). */
  finish(): T {
    return (this.buf as Float64Array).slice(0, this.length * this.width) as T;
  }
}
