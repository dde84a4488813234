// Prior points of a feature pyramid: one per cell of each level, at ((x + offset)·stride,
// (y + offset)·stride) in input pixels, row-major per level, levels in order — the order the
// heads flatten their outputs in. mmdet: AnchorGenerator(center_offset=0) for GFL/ATSS,
// MlvlPointGenerator(offset=0.5) for FCOS.
import { DetHeadInputError } from './errors.js';

export interface LevelShape {
  height: number;
  width: number;
  stride: number;
}

export interface PriorPoints {
  /** [N, 2] (x, y) pixels, all levels. */
  points: Float64Array;
  /** [N] stride of each point's level. */
  strides: Float64Array;
  /** [N] level index of each point. */
  levels: Int32Array;
  /** Points per level. */
  perLevel: number[];
}

export function priorPoints(shapes: readonly LevelShape[], offset: number): PriorPoints {
  const perLevel = shapes.map(({ height, width, stride }, l) => {
    if (!(Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0 && stride > 0)) {
      throw new DetHeadInputError(`level ${l}: bad shape ${height}×${width} or stride ${stride}`);
    }
    return height * width;
  });
  const n = perLevel.reduce((a, b) => a + b, 0);
  const out: PriorPoints = { points: new Float64Array(n * 2), strides: new Float64Array(n), levels: new Int32Array(n), perLevel };
  let i = 0;
  shapes.forEach(({ height, width, stride }, l) => {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++, i++) {
        out.points[i * 2] = (x + offset) * stride;
        out.points[i * 2 + 1] = (y + offset) * stride;
        out.strides[i] = stride;
        out.levels[i] = l;
      }
    }
  });
  return out;
}

/** Square anchors of side `scale·stride` centred on the points (GFL: octave_base_scale 8): N×4 xyxy. */
export function squareAnchors(p: PriorPoints, scale: number): Float64Array {
  const n = p.strides.length;
  const out = new Float64Array(n * 4);
  for (let i = 0; i < n; i++) {
    const half = (scale * p.strides[i]) / 2;
    const [x, y] = [p.points[i * 2], p.points[i * 2 + 1]];
    out.set([x - half, y - half, x + half, y + half], i * 4);
  }
  return out;
}
