/**
 * Cutting DOTA objects at a tile's border, following DOTA devkit `ImgSplit.savepatches`:
 * - an object entirely inside the tile is kept as is (shifted to tile coordinates);
 * - otherwise its polygon is clipped to the tile; `kept = area(clipped) / area(original)`;
 *   the clipped polygon is oriented like shapely's `orient(sign=1)` (positive shoelace sum,
 *   i.e. clockwise on screen), a 5-gon becomes a 4-gon by merging the two ends of its
 *   shortest edge into their midpoint (`GetPoly4FromPoly5`), fewer than 4 or more than 5
 *   vertices → dropped, and the start vertex is the cyclic rotation closest to the original
 *   corners (`choose_best_pointorder_fit_another`); coordinates are then clamped to [1, size];
 * - `kept > thresh` keeps the object's difficult flag; `0 < kept ≤ thresh` marks it
 *   difficult 2 (devkit) or drops it (`belowThreshold: 'drop'`);
 * - tile coordinates are truncated to integers like the devkit's `int()` unless
 *   `integerCoords: false`. Zero-area objects are skipped, as in the devkit.
 */
import { clipPolygonToRect, polygonArea } from '@babelrs/boxes';
import type { TileWindow } from './tile-grid.js';

export interface TileSourceObject {
  poly: ArrayLike<number>;
  className: string;
  difficult: number;
}

export interface TiledObject {
  /** Four corners in tile coordinates. */
  poly: number[];
  className: string;
  difficult: number;
  /** Fraction of the object's area inside the tile (1 when entirely inside). */
  keptFraction: number;
  /** Index of the object in the source list. */
  sourceIndex: number;
}

export interface TileObjectsOptions {
  /** Tile side (for the devkit's clamp to [1, size]). */
  size: number;
  /** Area fraction an object must keep to keep its own difficult flag (devkit 0.7, strict `>`). */
  thresh?: number;
  /** Objects at or below `thresh`: mark difficult 2 (devkit) or drop. */
  belowThreshold?: 'difficult' | 'drop';
  /** Truncate tile coordinates to integers like the devkit (default true). */
  integerCoords?: boolean;
}

export interface TileObjectsCounts {
  kept: number;
  markedDifficult: number;
  droppedBelowThreshold: number;
  /** Clipped polygons with < 4 or > 5 vertices (the devkit drops them). */
  droppedShape: number;
  droppedZeroArea: number;
}

/** The objects of one tile (see the module comment). */
export function tileObjects(objects: readonly TileSourceObject[], win: TileWindow, opts: TileObjectsOptions): { objects: TiledObject[]; counts: TileObjectsCounts } {
  const thresh = opts.thresh ?? 0.7;
  const truncate = opts.integerCoords ?? true;
  const counts: TileObjectsCounts = { kept: 0, markedDifficult: 0, droppedBelowThreshold: 0, droppedShape: 0, droppedZeroArea: 0 };
  const out: TiledObject[] = [];
  objects.forEach((o, sourceIndex) => {
    // Cheap bounding-box test first: most objects of a large image miss most tiles.
    if (!overlapsWindow(o.poly, win)) return;
    const area = polygonArea(o.poly);
    if (!(area > 0)) {
      counts.droppedZeroArea++;
      return;
    }
    if (insideWindow(o.poly, win)) {
      out.push({ poly: shift(Array.from(o.poly), win, truncate), className: o.className, difficult: o.difficult, keptFraction: 1, sourceIndex });
      counts.kept++;
      return;
    }
    const clipped = clipPolygonToRect(o.poly, win.left, win.up, win.right, win.down);
    const kept = clipped.length >= 6 ? polygonArea(clipped) / area : 0;
    if (!(kept > 0)) return;
    if (kept <= thresh && opts.belowThreshold === 'drop') {
      counts.droppedBelowThreshold++;
      return;
    }
    const quad = toQuad(orientPositive(Array.from(clipped)), o.poly);
    if (!quad) {
      counts.droppedShape++;
      return;
    }
    const poly = shift(quad, win, truncate).map((v) => Math.min(opts.size, Math.max(1, v)));
    const difficult = kept > thresh ? o.difficult : 2;
    if (difficult === 2 && o.difficult !== 2) counts.markedDifficult++;
    else counts.kept++;
    out.push({ poly, className: o.className, difficult, keptFraction: kept, sourceIndex });
  });
  return { objects: out, counts };
}

function insideWindow(poly: ArrayLike<number>, w: TileWindow): boolean {
  for (let k = 0; k < poly.length; k += 2) {
    if (poly[k] < w.left || poly[k] > w.right || poly[k + 1] < w.up || poly[k + 1] > w.down) return false;
  }
  return true;
}

function overlapsWindow(poly: ArrayLike<number>, w: TileWindow): boolean {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (let k = 0; k < poly.length; k += 2) {
    x1 = Math.min(x1, poly[k]); x2 = Math.max(x2, poly[k]);
    y1 = Math.min(y1, poly[k + 1]); y2 = Math.max(y2, poly[k + 1]);
  }
  return x1 <= w.right && x2 >= w.left && y1 <= w.down && y2 >= w.up;
}

function shift(poly: number[], w: TileWindow, truncate: boolean): number[] {
  return poly.map((v, k) => {
    const t = v - (k % 2 ? w.up : w.left);
    return truncate ? Math.trunc(t) : t;
  });
}

/** Shoelace sum > 0 (shapely `orient(sign=1)`); reverses the vertex order otherwise. */
export function orientPositive(poly: number[]): number[] {
  const n = poly.length / 2;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    s += poly[2 * i] * poly[2 * j + 1] - poly[2 * j] * poly[2 * i + 1];
  }
  if (s >= 0) return poly;
  const out: number[] = [];
  for (let i = n - 1; i >= 0; i--) out.push(poly[2 * i], poly[2 * i + 1]);
  return out;
}

/** 4 vertices → as is; 5 → merge the shortest edge; else undefined. Then best start vertex. */
function toQuad(poly: number[], original: ArrayLike<number>): number[] | undefined {
  const n = poly.length / 2;
  if (n < 4 || n > 5) return undefined;
  const quad = n === 5 ? mergeShortestEdge(poly) : poly;
  return bestRotation(quad, original);
}

/** Devkit `GetPoly4FromPoly5`: the shortest edge's two ends become their midpoint. */
export function mergeShortestEdge(poly: number[]): number[] {
  const n = poly.length / 2;
  let best = 0;
  let bestLen = Infinity;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    const len = Math.hypot(poly[2 * i] - poly[2 * j], poly[2 * i + 1] - poly[2 * j + 1]);
    if (len < bestLen) {
      bestLen = len;
      best = i;
    }
  }
  const j = (best + 1) % n;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i === j) continue;
    if (i === best) out.push((poly[2 * i] + poly[2 * j]) / 2, (poly[2 * i + 1] + poly[2 * j + 1]) / 2);
    else out.push(poly[2 * i], poly[2 * i + 1]);
  }
  return out;
}

/** Devkit `choose_best_pointorder_fit_another`: the cyclic start closest (squared distance) to `target`. */
export function bestRotation(quad: number[], target: ArrayLike<number>): number[] {
  let best = quad;
  let bestD = Infinity;
  for (let r = 0; r < 4; r++) {
    const cand = [...quad.slice(2 * r), ...quad.slice(0, 2 * r)];
    let d = 0;
    for (let k = 0; k < 8; k++) d += (cand[k] - target[k]) ** 2;
    if (d < bestD) {
      bestD = d;
      best = cand;
    }
  }
  return best;
}
