/**
 * Tile windows over a large image, exactly as the DOTA devkit's `ImgSplit` walks them:
 * steps of `size − gap`; the last window in each direction is pulled back so it ends at the
 * image border (`max(W − size, 0)`); an image smaller than a tile gets one window at 0.
 * The clip rectangle of a window is `[left, min(left + size, W − 1)] × [up, min(up + size, H − 1)]`
 * (the devkit's `right`/`down`, which stop one pixel short at the image border).
 */
export interface TileWindow {
  left: number;
  up: number;
  /** Clip rectangle's right / bottom edge (devkit `right`, `down`). */
  right: number;
  down: number;
}

export interface TileGridOptions {
  /** Tile side in pixels (devkit `subsize`; SOI-Det: 800). */
  size: number;
  /** Overlap between neighbouring tiles in pixels (devkit `gap`; SOI-Det: 200). */
  gap: number;
}

/** The windows, column by column (left outer loop, up inner), as the devkit emits them. */
export function tileWindows(width: number, height: number, { size, gap }: TileGridOptions): TileWindow[] {
  if (!(Number.isInteger(size) && size > 0)) throw new Error(`tileWindows: size must be a positive integer, got ${size}`);
  if (!(Number.isInteger(gap) && gap >= 0 && gap < size)) throw new Error(`tileWindows: gap must be an integer in [0, size), got ${gap}`);
  if (!(width > 0 && height > 0)) throw new Error(`tileWindows: image size must be positive, got ${width}×${height}`);
  const lefts = starts(width, size, size - gap);
  const ups = starts(height, size, size - gap);
  const out: TileWindow[] = [];
  for (const left of lefts) {
    for (const up of ups) out.push({ left, up, right: Math.min(left + size, width - 1), down: Math.min(up + size, height - 1) });
  }
  return out;
}

function starts(extent: number, size: number, slide: number): number[] {
  const out: number[] = [];
  for (let s = 0; ; s += slide) {
    if (s + size >= extent) {
      out.push(Math.max(extent - size, 0));
      return out;
    }
    out.push(s);
  }
}

/** Devkit tile name: `<image>__<rate>__<left>___<up>` (rate printed as Python prints it). */
export function tileName(image: string, left: number, up: number, rate = 1): string {
  return `${image}__${rate}__${left}___${up}`;
}

/** Parses a devkit tile name back into image, rate and offsets; undefined if it is not one. */
export function parseTileName(name: string): { image: string; rate: number; left: number; up: number } | undefined {
  const m = /^(.*)__([0-9.]+)__(\d+)___(\d+)$/.exec(name);
  if (!m) return undefined;
  return { image: m[1], rate: Number(m[2]), left: Number(m[3]), up: Number(m[4]) };
}
