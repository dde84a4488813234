/**
 * Each protocol's native geometry, as its reference reads the data:
 * the DOTA devkit scores 8-point polygons; mmrotate (voc on OBB, soi) turns DOTA polygons into
 * `le90` OBBs first (`poly2obb`, minimum-area rectangle) and uses rotated IoU.
 */
import { obbToPoly, polyToObb } from '@babelrs/boxes';
import type { EvalDataset } from '../types.js';

function withBoxes(ds: EvalDataset, geometry: EvalDataset['geometry'], conv: (b: Float64Array) => Float64Array): EvalDataset {
  return {
    ...ds,
    geometry,
    gts: { ...ds.gts, boxes: conv(ds.gts.boxes) },
    dets: { ...ds.dets, boxes: conv(ds.dets.boxes) },
  };
}

/** xyxy rows → the rectangle's 4 corners (clockwise on screen, y down). */
function hbbToPoly(b: Float64Array): Float64Array {
  const n = b.length / 4;
  const out = new Float64Array(n * 8);
  for (let i = 0; i < n; i++) {
    const [x1, y1, x2, y2] = [b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]];
    out.set([x1, y1, x2, y1, x2, y2, x1, y2], 8 * i);
  }
  return out;
}

/** The dataset with polygon geometry (devkit). */
export function toPolygons(ds: EvalDataset): EvalDataset {
  if (ds.geometry === 'poly') return ds;
  if (ds.geometry === 'obb') return withBoxes(ds, 'poly', (b) => Float64Array.from(obbToPoly(b)));
  return withBoxes(ds, 'poly', hbbToPoly);
}

/** HBB stays HBB, OBB stays OBB, polygons become le90 OBBs (mmrotate's data path). */
export function toRotatedOrHbb(ds: EvalDataset): EvalDataset {
  if (ds.geometry !== 'poly') return ds;
  return withBoxes(ds, 'obb', (b) => Float64Array.from(polyToObb(b, 'le90')));
}
