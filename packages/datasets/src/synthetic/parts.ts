/** Helpers shared by the renderers: object-relative sub-shapes and per-pixel terrain fields. */
import type { ShapeGeom } from './raster.js';
import type { ScenePlan } from './scene.js';
import { roadDistance, waterDistance } from './scene.js';

/** A part of an object: offset `du` along its heading and `dv` across it, size w × h, same angle. */
export function part(g: ShapeGeom, du: number, dv: number, w: number, h: number, turn = 0): ShapeGeom {
  const c = Math.cos(g.angleRad);
  const s = Math.sin(g.angleRad);
  return { cx: g.cx + du * c - dv * s, cy: g.cy + du * s + dv * c, w, h, angleRad: g.angleRad + turn };
}

/** The footprint shifted by (dx, dy) pixels (for shadows). */
export function shifted(g: ShapeGeom, dx: number, dy: number): ShapeGeom {
  return { ...g, cx: g.cx + dx, cy: g.cy + dy };
}

/** Per-pixel water coverage in [0, 1] (soft half-pixel edge) and signed water distance. */
export function waterFields(plan: ScenePlan): { water: Float32Array; dist: Float32Array; road: Float32Array } {
  const { width: W, height: H, terrain } = plan;
  const water = new Float32Array(W * H);
  const dist = new Float32Array(W * H);
  const road = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const d = waterDistance(terrain, x + 0.5, y + 0.5);
      dist[i] = d;
      water[i] = Math.min(1, Math.max(0, 0.5 - d));
      road[i] = Math.min(1, Math.max(0, 0.5 - roadDistance(terrain, x + 0.5, y + 0.5)));
    }
  }
  return { water, dist, road };
}

export function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}
