/**
 * Thermal-infrared rendering (DroneVehicle-like, 8-bit): cool vegetation and ground, warmer
 * asphalt roads, warm vehicles with a hot engine and a cool glass windscreen, softened by the
 * optics (box blur) plus sensor noise. Night scenes are cooler overall; vehicles stay warm.
 */
import { createChwImage, type ChwImage } from '../transforms/index.js';
import type { Prng } from '../sampling/prng.js';
import { boxBlur, clampImage, paintShape, valueNoise } from './raster.js';
import { part, waterFields } from './parts.js';
import type { ScenePlan, SceneObject } from './scene.js';

export function renderIr(plan: ScenePlan, rng: Prng, difficulty: number): ChwImage {
  const { width: W, height: H } = plan;
  const s = Math.max(W, H) / 128;
  const img = createChwImage(W, H, 1);
  const night = rng.chance(0.4);
  const ground = valueNoise(rng, W, H, 30 * s, 3);
  const { road } = waterFields(plan);
  const groundLevel = night ? rng.uniform(35, 50) : rng.uniform(60, 80);
  const roadLevel = night ? groundLevel + rng.uniform(8, 16) : groundLevel + rng.uniform(20, 35);
  for (let i = 0; i < W * H; i++) {
    const g = groundLevel + 24 * (ground[i] - 0.5);
    img.data[i] = g + (roadLevel - g) * road[i];
  }
  for (const o of plan.objects) paintVehicle(img, o, night, roadLevel, rng);
  boxBlur(img, Math.max(1, Math.round(s)));
  const sigma = 1.5 + 4 * difficulty;
  for (let i = 0; i < img.data.length; i++) img.data[i] += sigma * rng.normal();
  clampImage(img, 0, 255);
  return img;
}

function paintVehicle(img: ChwImage, o: SceneObject, night: boolean, roadLevel: number, rng: Prng): void {
  const g = o.geom;
  const body = o.faint ? roadLevel + 22 : rng.uniform(night ? 130 : 150, night ? 175 : 205);
  const hot = Math.min(255, body + 35);
  const glass = body - 45;
  switch (o.concept) {
    case 'car':
    case 'van': {
      paintShape(img, 'rect', g, [body]);
      paintShape(img, 'rect', part(g, 0.34 * g.w, 0, 0.28 * g.w, 0.8 * g.h), [hot]);
      paintShape(img, 'rect', part(g, 0.12 * g.w, 0, 0.16 * g.w, 0.85 * g.h), [glass]);
      return;
    }
    case 'truck':
    case 'freight car': {
      const cab = o.concept === 'truck' ? 0.26 : 0.2;
      paintShape(img, 'rect', part(g, (0.5 - cab / 2) * g.w, 0, cab * g.w, g.h), [hot]);
      paintShape(img, 'rect', part(g, -cab * 0.5 * g.w, 0, (1 - cab) * g.w, g.h), [body - 25]);
      return;
    }
    case 'bus': {
      paintShape(img, 'rect', g, [body - 10]);
      for (const u of [-0.3, 0, 0.3]) paintShape(img, 'rect', part(g, u * g.w, 0, 0.1 * g.w, 0.5 * g.h), [hot]);
      return;
    }
    default:
      paintShape(img, 'rect', g, [body]);
  }
}
