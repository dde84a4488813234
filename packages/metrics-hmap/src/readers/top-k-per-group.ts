/**
 * Bounded "top K by score per group" over a stream of rows, for the coco protocol: pycocotools
 * sorts each (image, category)'s detections by score (stable mergesort, so ties keep file order)
 * and keeps the first `maxDets[-1]` = 100; nothing below that cut can ever count. Keeping only
 * those while reading bounds memory by the detections that can be matched, not by the file.
 *
 * Each group's rows live in a slot list; once a group holds K rows it becomes a min-heap on
 * (score, then later-in-file first), so its worst row is at the top. A new row (always the latest
 * in the file) enters only with a score strictly above the worst one — on a tie the earlier row
 * wins, exactly as a stable sort + truncate decides — and takes over the evicted row's storage
 * slot. `order()` gives the kept slots back in file order, so downstream tie-breaks are unchanged.
 */
export class TopKPerGroup {
  /** Rows kept per group; K + 1 once the group's list is a heap. */
  private readonly count: Int32Array;
  /** Slot lists per group (heap-ordered once full), allocated on first use. */
  private readonly slots: (Int32Array | undefined)[];
  /** File position (sequence number) of the row stored in each slot. */
  private seq: Int32Array = new Int32Array(1024);
  /** Score of the row stored in each slot. */
  private score: Float64Array = new Float64Array(1024);
  private numSlots = 0;
  private seen = 0;
  /** Whether a slot was ever reused (then slots are no longer in file order). */
  private evicted = false;

  constructor(
    numGroups: number,
    private readonly k: number,
  ) {
    if (!(Number.isInteger(k) && k > 0)) throw new RangeError(`top-K needs a positive integer K, got ${k}`);
    this.count = new Int32Array(numGroups);
    this.slots = new Array<Int32Array | undefined>(numGroups);
  }

  /** Rows offered so far. */
  get offered(): number {
    return this.seen;
  }

  /** Slots in use (= rows kept). */
  get size(): number {
    return this.numSlots;
  }

  /**
   * Offers the next row of the file, in `group`, with `score`. Returns the slot to write the
   * row's values into (a new one, `size - 1`, or an evicted row's), or -1 when it is dropped.
   */
  offer(group: number, score: number): number {
    const seq = this.seen++;
    if (seq > 0x7fffffff) throw new RangeError('more than 2^31 rows offered');
    const n = this.count[group];
    let list = this.slots[group];
    if (n < this.k) {
      if (list === undefined || n === list.length) {
        const grown = new Int32Array(Math.min(this.k, Math.max(4, 2 * n)));
        if (list) grown.set(list);
        list = this.slots[group] = grown;
      }
      const slot = this.newSlot(seq, score);
      list[n] = slot;
      this.count[group] = n + 1;
      return slot;
    }
    // Made a heap on the first row past K (the K-th row's score is written only after `offer`).
    if (n === this.k) {
      this.heapify(list!);
      this.count[group] = n + 1;
    }
    const worst = list![0];
    if (!(score > this.score[worst])) return -1; // tie or below: the earlier rows stay
    this.seq[worst] = seq;
    this.score[worst] = score;
    this.evicted = true;
    this.siftDown(list!, 0);
    return worst;
  }

  /** Kept slots in file order. */
  order(): Int32Array {
    const n = this.numSlots;
    const slots = new Int32Array(n);
    for (let i = 0; i < n; i++) slots[i] = i;
    if (!this.evicted) return slots; // slots were handed out in file order
    return radixSortBySeq(slots, this.seq);
  }

  private newSlot(seq: number, score: number): number {
    if (this.numSlots === this.seq.length) {
      const grown = new Int32Array(this.seq.length * 2);
      grown.set(this.seq);
      this.seq = grown;
      const grownScore = new Float64Array(this.score.length * 2);
      grownScore.set(this.score);
      this.score = grownScore;
    }
    this.seq[this.numSlots] = seq;
    this.score[this.numSlots] = score;
    return this.numSlots++;
  }

  /** a ranks below b: lower score, or the same score and later in the file. */
  private worse(a: number, b: number): boolean {
    const sa = this.score[a];
    const sb = this.score[b];
    return sa < sb || (sa === sb && this.seq[a] > this.seq[b]);
  }

  private heapify(list: Int32Array): void {
    for (let i = (list.length >> 1) - 1; i >= 0; i--) this.siftDown(list, i);
  }

  /** Restores the min-heap (worst at the top) below position i. */
  private siftDown(list: Int32Array, i: number): void {
    const n = list.length;
    const item = list[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.worse(list[r], list[l]) ? r : l;
      if (!this.worse(list[c], item)) break;
      list[i] = list[c];
      i = c;
    }
    list[i] = item;
  }
}

/** Stable LSD radix sort (2 passes of 16 bits) of `slots` by their non-negative `seq`. */
function radixSortBySeq(slots: Int32Array, seq: Int32Array): Int32Array {
  let src: Int32Array = slots;
  let dst: Int32Array = new Int32Array(slots.length);
  const count = new Int32Array(65537);
  for (const shift of [0, 16]) {
    count.fill(0);
    for (let i = 0; i < src.length; i++) count[((seq[src[i]] >>> shift) & 0xffff) + 1]++;
    for (let b = 0; b < 65536; b++) count[b + 1] += count[b];
    for (let i = 0; i < src.length; i++) {
      const s = src[i];
      dst[count[(seq[s] >>> shift) & 0xffff]++] = s;
    }
    [src, dst] = [dst, src];
  }
  return src;
}
