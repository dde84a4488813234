/**
 * Modality-independent scene planning: terrain (open land, a coast, a river, or streets) and a
 * set of non-overlapping objects, each with a concept and an oriented footprint. Renderers then
 * paint the same kind of plan as RGB, SAR or IR pixels.
 */
import type { Modality } from '../sample.js';
import type { Prng } from '../sampling/prng.js';
import { CONCEPT_SPECS, MODALITY_CONCEPTS, placementOf, type Placement, type SyntheticConcept } from './concepts.js';
import type { ShapeGeom } from './raster.js';

export type TerrainKind = 'land' | 'coast' | 'river' | 'streets';

export interface Terrain {
  kind: TerrainKind;
  /** A point on the coast / river centre line / first road, and the unit normal across it. */
  px: number;
  py: number;
  nx: number;
  ny: number;
  /** River half-width, or road half-width (px). */
  halfWidth: number;
  wobbleAmp: number;
  wobbleFreq: number;
  wobblePhase: number;
  /** Streets: extra roads as (px, py, nx, ny). */
  roads: [number, number, number, number][];
}

export interface SceneObject {
  concept: SyntheticConcept;
  /** Footprint; `angleRad` is the heading of the long side (the OBB before le90 normalisation). */
  geom: ShapeGeom;
  /** Low contrast (marked difficult in DOTA labels). */
  faint: boolean;
  /** Free random number for renderer choices (colour, style), fixed per object. */
  style: number;
}

export interface ScenePlan {
  modality: Modality;
  width: number;
  height: number;
  terrain: Terrain;
  objects: SceneObject[];
}

export interface ScenePlanOptions {
  width: number;
  height: number;
  /** Object count range (inclusive). */
  objects: [number, number];
  /** A concept the scene must contain (cycled by the generator so every class appears). */
  primary: SyntheticConcept;
  /** Multiplies object sizes (image size / 128, shrunk by difficulty). */
  sizeScale: number;
  /** Probability that an object is faint. */
  faintProb: number;
}

/** Signed distance to water (negative in water); +∞ without water. */
export function waterDistance(t: Terrain, x: number, y: number): number {
  if (t.kind !== 'coast' && t.kind !== 'river') return Number.POSITIVE_INFINITY;
  const dx = x - t.px;
  const dy = y - t.py;
  const across = dx * t.nx + dy * t.ny;
  const along = -dx * t.ny + dy * t.nx;
  const wobble = t.wobbleAmp * Math.sin(t.wobbleFreq * along + t.wobblePhase);
  return t.kind === 'coast' ? across + wobble : Math.abs(across + wobble) - t.halfWidth;
}

/** Signed distance to the nearest road (negative on a road); +∞ without roads. */
export function roadDistance(t: Terrain, x: number, y: number): number {
  if (t.kind !== 'streets') return Number.POSITIVE_INFINITY;
  let d = Number.POSITIVE_INFINITY;
  for (const [px, py, nx, ny] of t.roads) d = Math.min(d, Math.abs((x - px) * nx + (y - py) * ny) - t.halfWidth);
  return d;
}

const TERRAIN_FOR: Record<Placement, TerrainKind[]> = {
  water: ['coast', 'river'],
  coast: ['coast'],
  crossing: ['river'],
  land: ['land', 'coast', 'river'],
  road: ['streets'],
};

/** Plans one scene; retries terrain until the primary concept fits. */
export function planScene(modality: Modality, rng: Prng, opts: ScenePlanOptions): ScenePlan {
  const kinds = TERRAIN_FOR[placementOf(modality, opts.primary)];
  for (let attempt = 0; attempt < 20; attempt++) {
    const terrain = makeTerrain(rng.pick(kinds), rng, opts);
    const plan: ScenePlan = { modality, width: opts.width, height: opts.height, terrain, objects: [] };
    if (!tryPlace(plan, opts.primary, rng, opts, 40)) continue;
    const target = rng.int(opts.objects[0], opts.objects[1]);
    const allowed = MODALITY_CONCEPTS[modality].filter((c) => TERRAIN_FOR[placementOf(modality, c)].includes(terrain.kind));
    for (let tries = 0; plan.objects.length < target && tries < target * 8; tries++) {
      tryPlace(plan, weightedPick(allowed, rng), rng, opts, 4);
    }
    return plan;
  }
  throw new Error(`synthetic set: could not place a ${opts.primary} in a ${opts.width}×${opts.height} ${modality} scene (image too small for the object sizes?)`);
}

function weightedPick(concepts: readonly SyntheticConcept[], rng: Prng): SyntheticConcept {
  const total = concepts.reduce((s, c) => s + CONCEPT_SPECS[c].weight, 0);
  let r = rng.next() * total;
  for (const c of concepts) {
    r -= CONCEPT_SPECS[c].weight;
    if (r < 0) return c;
  }
  return concepts[concepts.length - 1];
}

function makeTerrain(kind: TerrainKind, rng: Prng, opts: ScenePlanOptions): Terrain {
  const { width: W, height: H, sizeScale: s } = opts;
  const a = rng.uniform(0, 2 * Math.PI);
  const t: Terrain = {
    kind,
    px: W * rng.uniform(0.35, 0.65),
    py: H * rng.uniform(0.35, 0.65),
    nx: Math.cos(a),
    ny: Math.sin(a),
    halfWidth: 0,
    wobbleAmp: kind === 'coast' || kind === 'river' ? rng.uniform(0.5, 3) * s : 0,
    wobbleFreq: rng.uniform(0.03, 0.09) / s,
    wobblePhase: rng.uniform(0, 2 * Math.PI),
    roads: [],
  };
  if (kind === 'river') t.halfWidth = rng.uniform(9, 16) * s;
  if (kind === 'streets') {
    t.halfWidth = rng.uniform(8, 11) * s;
    // One road through the centre area, sometimes a crossing road at right angles.
    t.roads.push([t.px, t.py, t.nx, t.ny]);
    if (rng.chance(0.6)) t.roads.push([W * rng.uniform(0.25, 0.75), H * rng.uniform(0.25, 0.75), -t.ny, t.nx]);
  }
  return t;
}

/** Tries `tries` random footprints for `concept`; adds the first that fits. */
function tryPlace(plan: ScenePlan, concept: SyntheticConcept, rng: Prng, opts: ScenePlanOptions, tries: number): boolean {
  for (let i = 0; i < tries; i++) {
    const geom = proposeFootprint(plan, concept, rng, opts);
    if (geom && fits(plan, concept, geom)) {
      plan.objects.push({ concept, geom, faint: rng.chance(opts.faintProb), style: rng.next() });
      return true;
    }
  }
  return false;
}

function proposeFootprint(plan: ScenePlan, concept: SyntheticConcept, rng: Prng, opts: ScenePlanOptions): ShapeGeom | null {
  const spec = CONCEPT_SPECS[concept];
  const t = plan.terrain;
  const s = opts.sizeScale;
  const aspect = rng.uniform(spec.aspect[0], spec.aspect[1]);
  const along = Math.atan2(t.nx, -t.ny); // direction of the coast / river / road line
  const placement = placementOf(plan.modality, concept);
  let L = rng.uniform(spec.length[0], spec.length[1]) * s;
  let cx = rng.uniform(0, plan.width);
  let cy = rng.uniform(0, plan.height);
  let angleRad = rng.uniform(-Math.PI, Math.PI);
  if (placement === 'water' && t.kind === 'river') angleRad = along + rng.uniform(-0.25, 0.25);
  if (placement === 'coast' || placement === 'crossing') {
    // Start on the line at a random position along it, within the image.
    const u = rng.uniform(-0.5, 0.5) * Math.max(plan.width, plan.height);
    const qx = t.px - t.ny * u;
    const qy = t.py + t.nx * u;
    if (placement === 'coast') {
      // A pier from the shore out into the sea (−n points into the water); `shore` moves the
      // start from the straight line onto the wobbly shoreline (first order).
      const shore = waterDistance(t, qx, qy);
      cx = qx - t.nx * (shore + L / 2 - 3 * s);
      cy = qy - t.ny * (shore + L / 2 - 3 * s);
      angleRad = Math.atan2(-t.ny, -t.nx);
    } else {
      // A bridge spans the river with a few pixels of bank on each side.
      L = 2 * t.halfWidth + 2 * t.wobbleAmp + rng.uniform(6, 12) * s;
      cx = qx;
      cy = qy;
      angleRad = Math.atan2(t.ny, t.nx) + rng.uniform(-0.15, 0.15);
    }
  }
  if (placement === 'road') {
    const [px, py, nx, ny] = rng.pick(t.roads);
    const u = rng.uniform(-0.5, 0.5) * Math.max(plan.width, plan.height);
    const lane = rng.uniform(-0.55, 0.55) * t.halfWidth;
    cx = px - ny * u + nx * lane;
    cy = py + nx * u + ny * lane;
    angleRad = Math.atan2(nx, -ny) + (rng.chance(0.5) ? Math.PI : 0) + rng.uniform(-0.08, 0.08);
  }
  if (concept === 'storage tank') angleRad = 0;
  return { cx, cy, w: L, h: L / aspect, angleRad };
}

function corners(g: ShapeGeom): [number, number][] {
  const c = Math.cos(g.angleRad);
  const s = Math.sin(g.angleRad);
  return [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([a, b]) => [g.cx + (a * g.w * c) / 2 - (b * g.h * s) / 2, g.cy + (a * g.w * s) / 2 + (b * g.h * c) / 2]);
}

/** Footprint is inside the image, on allowed ground, and clear of other objects. */
function fits(plan: ScenePlan, concept: SyntheticConcept, g: ShapeGeom): boolean {
  const pts = corners(g);
  const margin = 1;
  if (pts.some(([x, y]) => x < margin || y < margin || x > plan.width - margin || y > plan.height - margin)) return false;
  const t = plan.terrain;
  const placement = placementOf(plan.modality, concept);
  const probe = [...pts, [g.cx, g.cy] as [number, number]];
  if (placement === 'water' && probe.some(([x, y]) => waterDistance(t, x, y) > -1)) return false;
  if (placement === 'land' && probe.some(([x, y]) => waterDistance(t, x, y) < 1.5)) return false;
  if (placement === 'road' && probe.some(([x, y]) => roadDistance(t, x, y) > 0.5)) return false;
  if (placement === 'coast') {
    // Outer end in water, inner end on land.
    const ends = endPoints(g);
    if (!(waterDistance(t, ...ends[0]) > 0.5 && waterDistance(t, ...ends[1]) < -2)) return false;
  }
  if (placement === 'crossing') {
    const ends = endPoints(g);
    if (!(waterDistance(t, ...ends[0]) > 1 && waterDistance(t, ...ends[1]) > 1)) return false;
  }
  const box = hbbOf(pts, 1.5);
  return plan.objects.every((o) => !overlaps(box, hbbOf(corners(o.geom), 1.5)));
}

/** Centres of the two short sides: [back, front] along the heading. */
function endPoints(g: ShapeGeom): [[number, number], [number, number]] {
  const dx = (Math.cos(g.angleRad) * g.w) / 2;
  const dy = (Math.sin(g.angleRad) * g.w) / 2;
  return [[g.cx - dx, g.cy - dy], [g.cx + dx, g.cy + dy]];
}

function hbbOf(pts: [number, number][], pad: number): [number, number, number, number] {
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return [Math.min(...xs) - pad, Math.min(...ys) - pad, Math.max(...xs) + pad, Math.max(...ys) + pad];
}

function overlaps(a: number[], b: number[]): boolean {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}
