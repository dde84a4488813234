// Horizontal anchors of the oriented RPN (mmdet's `AnchorGenerator`, as mmrotate's Oriented
// R-CNN config uses it: scales [8], ratios [0.5, 1, 2], base size = stride, centre offset 0).
// Order: (y, x, anchor) — matching an NHWC head output reshaped to [B, H·W·A].
import { DetHeadInputError } from './errors.js';

export interface AnchorOptions {
  scales?: readonly number[];
  /** h / w ratios. */
  ratios?: readonly number[];
  /** Anchor centre within its cell, in strides (mmdet v2: 0 → centres at x·stride). */
  centerOffset?: number;
}

export function anchorsPerCell(opts: AnchorOptions = {}): number {
  return (opts.ratios ?? [0.5, 1, 2]).length * (opts.scales ?? [8]).length;
}

/** Anchors [H·W·A, 4] (x1, y1, x2, y2) of one level. */
export function gridAnchors(height: number, width: number, stride: number, opts: AnchorOptions = {}): Float64Array {
  const scales = opts.scales ?? [8];
  const ratios = opts.ratios ?? [0.5, 1, 2];
  if (!(stride > 0) || ratios.some((r) => !(r > 0)) || scales.some((s) => !(s > 0))) {
    throw new DetHeadInputError(`gridAnchors: stride, scales and ratios must be positive (stride ${stride})`);
  }
  const base: number[][] = [];
  const c = (opts.centerOffset ?? 0) * stride;
  for (const r of ratios) {
    const hr = Math.sqrt(r);
    for (const s of scales) {
      const ws = (stride / hr) * s;
      const hs = stride * hr * s;
      base.push([c - ws / 2, c - hs / 2, c + ws / 2, c + hs / 2]);
    }
  }
  const a = base.length;
  const out = new Float64Array(height * width * a * 4);
  let o = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < a; k++) {
        out[o++] = base[k][0] + x * stride;
        out[o++] = base[k][1] + y * stride;
        out[o++] = base[k][2] + x * stride;
        out[o++] = base[k][3] + y * stride;
      }
    }
  }
  return out;
}
