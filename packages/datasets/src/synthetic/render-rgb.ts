/**
 * RGB rendering (DOTA-like optical aerial view): textured land and sea with a sandy shore,
 * coloured objects with sun shadows (light from the top-left), mild sensor noise.
 */
import { createChwImage, type ChwImage } from '../transforms/index.js';
import type { Prng } from '../sampling/prng.js';
import { clampImage, paintShape, valueNoise, type ShapeGeom } from './raster.js';
import { lerp, part, shifted, waterFields } from './parts.js';
import type { ScenePlan, SceneObject } from './scene.js';

const CAR_COLOURS: [number, number, number][] = [[200, 40, 35], [235, 235, 235], [30, 30, 35], [40, 70, 160], [170, 175, 180], [210, 180, 40]];

export function renderRgb(plan: ScenePlan, rng: Prng, difficulty: number): ChwImage {
  const { width: W, height: H } = plan;
  const img = createChwImage(W, H, 3);
  paintTerrain(img, plan, rng);
  const s = Math.max(W, H) / 128;
  for (const o of plan.objects) paintObject(img, o, s);
  const sigma = 2 + 6 * difficulty;
  for (let i = 0; i < img.data.length; i++) img.data[i] += sigma * rng.normal();
  clampImage(img, 0, 255);
  return img;
}

function paintTerrain(img: ChwImage, plan: ScenePlan, rng: Prng): void {
  const { width: W, height: H } = plan;
  const s = Math.max(W, H) / 128;
  const broad = valueNoise(rng, W, H, 40 * s, 2);
  const fine = valueNoise(rng, W, H, 5 * s, 2);
  const sea = valueNoise(rng, W, H, 20 * s, 3);
  const { water, dist } = waterFields(plan);
  const t = rng.next(); // green ↔ dry palette
  const land = [lerp(84, 150, t), lerp(106, 134, t), lerp(62, 98, t)];
  const seaTone = [rng.uniform(22, 40), rng.uniform(55, 82), rng.uniform(80, 105)];
  const sand = [178, 166, 134];
  const plane = W * H;
  // Field patches must not cover the water or the beach.
  const landOnly = dist.map((d) => (d >= 1 ? 1 : 0));
  for (let i = 0; i < plane; i++) {
    const shade = 0.78 + 0.44 * broad[i] + 0.18 * (fine[i] - 0.5);
    const beach = Math.min(1, Math.max(0, 1 - dist[i] / (2.5 * s)));
    for (let c = 0; c < 3; c++) {
      const l = lerp(land[c] * shade, sand[c], dist[i] >= 0 ? beach * 0.8 : 0);
      const w = seaTone[c] * (0.85 + 0.3 * sea[i]);
      img.data[c * plane + i] = lerp(l, w, water[i]);
    }
  }
  // Field patches break up open land.
  for (let k = rng.int(1, 4); k > 0; k--) {
    const g: ShapeGeom = { cx: rng.uniform(0, W), cy: rng.uniform(0, H), w: rng.uniform(25, 60) * s, h: rng.uniform(15, 40) * s, angleRad: rng.uniform(0, Math.PI) };
    const tone = land.map((v) => v * rng.uniform(0.8, 1.2));
    paintShape(img, 'rect', g, tone, 0.45, 1, landOnly);
  }
}

function paintObject(img: ChwImage, o: SceneObject, s: number): void {
  const g = o.geom;
  const a = o.faint ? 0.45 : 1; // faint objects blend into the ground
  const shadow = (geom: ShapeGeom, kind: 'rect' | 'ellipse' = 'rect') => paintShape(img, kind, shifted(geom, 1.2 * s, 1.2 * s), [10, 10, 10], 0.35 * a);
  const grey = (v: number) => [v, v, v];
  switch (o.concept) {
    case 'ship': {
      if (o.style < 0.5) paintShape(img, 'ellipse', part(g, -0.85 * g.w, 0, 1.3 * g.w, 1.1 * g.h), [205, 218, 228], 0.3 * a);
      shadow(g, 'ellipse');
      const hull = o.style < 0.7 ? grey(200 + 35 * o.style) : [120, 45, 40];
      paintShape(img, 'rect', part(g, -0.1 * g.w, 0, 0.8 * g.w, g.h), hull, a);
      paintShape(img, 'ellipse', part(g, 0.1 * g.w, 0, g.w, g.h), hull, a);
      paintShape(img, 'rect', part(g, -0.25 * g.w, 0, 0.22 * g.w, 0.6 * g.h), grey(245), a);
      return;
    }
    case 'aircraft': {
      const L = g.w;
      const parts = [part(g, 0, 0, L, 0.13 * L), part(g, 0.05 * L, 0, 0.2 * L, g.h), part(g, -0.42 * L, 0, 0.1 * L, 0.38 * g.h)];
      for (const p of parts) shadow(p);
      const body = grey(212 + 20 * o.style);
      for (const p of parts) paintShape(img, 'rect', p, body, a);
      paintShape(img, 'ellipse', part(g, 0.44 * L, 0, 0.12 * L, 0.12 * L), body, a);
      return;
    }
    case 'car':
    case 'large vehicle': {
      shadow(g);
      const colour = CAR_COLOURS[Math.floor(o.style * CAR_COLOURS.length)];
      if (o.concept === 'car') {
        paintShape(img, 'rect', g, colour, a);
        paintShape(img, 'rect', part(g, 0.15 * g.w, 0, 0.18 * g.w, 0.8 * g.h), [40, 42, 50], a);
      } else {
        paintShape(img, 'rect', part(g, -0.1 * g.w, 0, 0.8 * g.w, g.h), grey(190 + 50 * o.style), a);
        paintShape(img, 'rect', part(g, 0.4 * g.w, 0, 0.2 * g.w, 0.95 * g.h), colour, a);
      }
      return;
    }
    case 'storage tank': {
      shadow(g, 'ellipse');
      paintShape(img, 'ellipse', g, grey(205 + 30 * o.style), a);
      paintShape(img, 'ring', { ...g, w: 0.75 * g.w, h: 0.75 * g.h }, grey(170), 0.6 * a, 1);
      paintShape(img, 'ellipse', { ...g, w: 0.12 * g.w, h: 0.12 * g.h }, grey(150), a);
      return;
    }
    case 'bridge': {
      paintShape(img, 'rect', shifted(g, 1.5 * s, 1.5 * s), [15, 20, 25], 0.4 * a);
      paintShape(img, 'rect', g, grey(150 + 25 * o.style), a);
      for (const side of [-0.45, 0.45]) paintShape(img, 'rect', part(g, 0, side * g.h, g.w, 0.12 * g.h), grey(105), a);
      return;
    }
    case 'harbor': {
      shadow(g);
      paintShape(img, 'rect', g, grey(170 + 20 * o.style), a);
      for (let k = -2; k <= 2; k++) paintShape(img, 'ellipse', part(g, k * 0.18 * g.w, 0.35 * g.h, 0.8 * s, 0.8 * s), grey(90), a);
      return;
    }
    default:
      // IR-only vehicle concepts never appear in RGB scenes.
      paintShape(img, 'rect', g, grey(180), a);
  }
}
