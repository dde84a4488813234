/**
 * VOC-style objects → box arrays. roLabelImg `robndbox` (angle in radians in [0, π), `w` along
 * x at angle 0, positive angle turning +x towards +y — the rotation `roxml_to_dota` scripts
 * apply) is the same rectangle parametrisation as our OBB, so only the le90 normalisation is
 * needed; polygons become their minimum-area rectangle, horizontal boxes an angle-0 OBB.
 */
import { hbbToObb, hbbToPoly, normalizeObb, obbToHbb, obbToPoly, polyToHbb, polyToObb } from '@babelrs/boxes';
import type { VocGeometry, VocObject } from '@babelrs/formats';
import type { DotaWriteObject } from '@babelrs/formats';

/** N×5 le90 OBBs, one per object, whatever geometry each object was annotated with. */
export function vocGeometriesToObb(geoms: readonly VocGeometry[]): Float64Array {
  const out = new Float64Array(geoms.length * 5);
  geoms.forEach((g, i) => out.set(geometryToObb(g), i * 5));
  return out;
}

/** N×4 xyxy boxes (the enclosing horizontal box of OBBs and polygons). */
export function vocGeometriesToHbb(geoms: readonly VocGeometry[]): Float64Array {
  const out = new Float64Array(geoms.length * 4);
  geoms.forEach((g, i) => {
    if (g.kind === 'bndbox') out.set(g.xyxy, i * 4);
    else if (g.kind === 'polygon') out.set(polyToHbb(g.poly), i * 4);
    else out.set(obbToHbb(geometryToObb(g)), i * 4);
  });
  return out;
}

/** One geometry → `[cx, cy, w, h, θ]` in le90. */
export function geometryToObb(g: VocGeometry): Float64Array {
  if (g.kind === 'bndbox') return hbbToObb(g.xyxy, 'le90');
  if (g.kind === 'polygon') return polyToObb(g.poly, 'le90');
  return normalizeObb([g.cx, g.cy, g.w, g.h, g.angleRad], 'le90');
}

export interface VocToDotaOptions {
  /**
   * Added to every coordinate. DroneVehicle frames are 840×712 with a 100-px white border
   * around the 640×512 image; SOI-Det crops it, so its labels move by `{ dx: -100, dy: -100 }`.
   */
  dx?: number;
  dy?: number;
  /** Renames of object names (e.g. spelling variants) before writing. */
  rename?: Readonly<Record<string, string>>;
}

/**
 * VOC-style objects → DOTA objects (4 corners, class, difficult), e.g. to convert DroneVehicle
 * or roLabelImg XML into the SOI-Det layout's labelTxt with `writeDotaTxt`.
 * Corners: polygon as annotated; bndbox clockwise from top-left; robndbox from its OBB.
 */
export function vocToDotaObjects(objects: readonly VocObject[], opts: VocToDotaOptions = {}): DotaWriteObject[] {
  const dx = opts.dx ?? 0;
  const dy = opts.dy ?? 0;
  return objects.map((o) => {
    const poly = geometryToPoly(o.geometry).map((v, k) => v + (k % 2 ? dy : dx));
    return { poly, className: opts.rename?.[o.name] ?? o.name, difficult: o.difficult };
  });
}

function geometryToPoly(g: VocGeometry): number[] {
  if (g.kind === 'polygon') return [...g.poly];
  if (g.kind === 'bndbox') return Array.from(hbbToPoly(g.xyxy));
  return Array.from(obbToPoly(geometryToObb(g)));
}
