/**
 * The inverse of tiling: tile-level detections → full-image coordinates → per-class rotated
 * NMS (overlapping tiles see the same object twice). Default IoU threshold 0.1, as mmrotate's
 * DOTA `merge_results`; the devkit's `ResultMerge` used 0.3 with polygon NMS — configurable.
 */
import { batchedNms } from '@babelrs/boxes';

export interface TileDetections {
  /** Tile offset in the full image (devkit `left`, `up`; `parseTileName` recovers them). */
  left: number;
  up: number;
  /** N×5 OBBs `[cx, cy, w, h, θ]` in tile pixels (or N×4 xyxy with `rotated: false`). */
  boxes: ArrayLike<number>;
  scores: ArrayLike<number>;
  labels: ArrayLike<number>;
  /** Resize rate the tile was cut at (devkit `rate`); coordinates are divided by it. Default 1. */
  rate?: number;
}

export interface MergeOptions {
  /** IoU above which the lower-scored box of the same class is suppressed (default 0.1). */
  iouThr?: number;
  /** OBBs with rotated IoU (default true) or HBBs xyxy. */
  rotated?: boolean;
}

export interface MergedDetections {
  boxes: Float64Array;
  scores: Float64Array;
  labels: Int32Array;
}

/** Shifts every tile's detections into the full image and suppresses duplicates per class. */
export function mergeTileDetections(tiles: readonly TileDetections[], opts: MergeOptions = {}): MergedDetections {
  const rotated = opts.rotated ?? true;
  const stride = rotated ? 5 : 4;
  const total = tiles.reduce((n, t) => n + t.scores.length, 0);
  const boxes = new Float64Array(total * stride);
  const scores = new Float64Array(total);
  const labels = new Int32Array(total);
  let i = 0;
  for (const t of tiles) {
    if (t.boxes.length !== t.scores.length * stride || t.labels.length !== t.scores.length) {
      throw new Error(
        `mergeTileDetections: tile at (${t.left}, ${t.up}): boxes has ${t.boxes.length} values, expected ${stride} per score (${t.scores.length} scores, ${t.labels.length} labels)`,
      );
    }
    const rate = t.rate ?? 1;
    for (let k = 0; k < t.scores.length; k++, i++) {
      for (let d = 0; d < stride; d++) boxes[i * stride + d] = t.boxes[k * stride + d];
      shiftBox(boxes, i * stride, t.left, t.up, rate, rotated);
      scores[i] = t.scores[k];
      labels[i] = t.labels[k];
    }
  }
  const keep = batchedNms(boxes, scores, labels, opts.iouThr ?? 0.1, { rotated });
  const out: MergedDetections = { boxes: new Float64Array(keep.length * stride), scores: new Float64Array(keep.length), labels: new Int32Array(keep.length) };
  keep.forEach((k, j) => {
    out.boxes.set(boxes.subarray(k * stride, (k + 1) * stride), j * stride);
    out.scores[j] = scores[k];
    out.labels[j] = labels[k];
  });
  return out;
}

/** Tile → image: add the offset, undo the resize rate (θ is unchanged by both). */
function shiftBox(b: Float64Array, o: number, left: number, up: number, rate: number, rotated: boolean): void {
  if (rotated) {
    b[o] = (b[o] + left) / rate;
    b[o + 1] = (b[o + 1] + up) / rate;
    b[o + 2] /= rate;
    b[o + 3] /= rate;
  } else {
    b[o] = (b[o] + left) / rate;
    b[o + 1] = (b[o + 1] + up) / rate;
    b[o + 2] = (b[o + 2] + left) / rate;
    b[o + 3] = (b[o + 3] + up) / rate;
  }
}
