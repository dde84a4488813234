/**
 * SAR rendering: a reflectivity map (dark calm water, textured land, man-made targets with
 * bright point scatterers from corner reflections), multiplied by fully developed speckle —
 * intensity ~ Gamma(L, 1/L) for L looks — then shown as 8-bit amplitude (√ of intensity).
 */
import { createChwImage, type ChwImage } from '../transforms/index.js';
import type { Prng } from '../sampling/prng.js';
import { addPointScatterer, paintShape, valueNoise } from './raster.js';
import { part, waterFields } from './parts.js';
import type { ScenePlan, SceneObject } from './scene.js';

/** Intensity mapped to 255 (everything brighter saturates, as bright scatterers do in 8-bit SAR). */
const FULL_SCALE = 900;

export function renderSar(plan: ScenePlan, rng: Prng, difficulty: number): ChwImage {
  const { width: W, height: H } = plan;
  const s = Math.max(W, H) / 128;
  const refl = createChwImage(W, H, 1);
  const land = valueNoise(rng, W, H, 24 * s, 3);
  const wind = valueNoise(rng, W, H, 32 * s, 2);
  const { water } = waterFields(plan);
  const landLevel = rng.uniform(40, 70);
  const seaLevel = rng.uniform(8, 18);
  for (let i = 0; i < W * H; i++) {
    const l = landLevel * (0.6 + 0.8 * land[i]);
    const w = seaLevel * (0.7 + 0.6 * wind[i]);
    refl.data[i] = l + (w - l) * water[i];
  }
  for (const o of plan.objects) paintTarget(refl, o, rng, s);
  const looks = Math.max(1, Math.round(4 - 3 * difficulty));
  const out = createChwImage(W, H, 1);
  for (let i = 0; i < W * H; i++) {
    const intensity = refl.data[i] * gammaSpeckle(rng, looks);
    out.data[i] = Math.min(255, 255 * Math.sqrt(intensity / FULL_SCALE));
  }
  return out;
}

/** Gamma(L, 1/L) with mean 1: the mean of L unit exponentials. */
function gammaSpeckle(rng: Prng, looks: number): number {
  let sum = 0;
  for (let k = 0; k < looks; k++) sum -= Math.log(1 - rng.next());
  return sum / looks;
}

function paintTarget(img: ChwImage, o: SceneObject, rng: Prng, s: number): void {
  const g = o.geom;
  const k = o.faint ? 0.35 : 1;
  const along = (u: number, v = 0) => part(g, u * g.w, v * g.h, 0, 0);
  const scatter = (u: number, v: number, amount: number) => {
    const p = along(u, v);
    addPointScatterer(img, p.cx, p.cy, amount * k);
  };
  switch (o.concept) {
    case 'ship': {
      paintShape(img, 'ellipse', g, [130 * k]);
      for (let n = rng.int(3, 7); n > 0; n--) scatter(rng.uniform(-0.42, 0.42), rng.uniform(-0.25, 0.25), rng.uniform(700, 1600));
      return;
    }
    case 'aircraft': {
      const L = g.w;
      for (const p of [part(g, 0, 0, L, 0.13 * L), part(g, 0.05 * L, 0, 0.2 * L, g.h), part(g, -0.42 * L, 0, 0.1 * L, 0.38 * g.h)]) paintShape(img, 'rect', p, [85 * k]);
      for (const [u, v] of [[0.5, 0], [0.05, 0.48], [0.05, -0.48], [-0.45, 0], [0.1, 0.22], [0.1, -0.22]]) scatter(u, v, rng.uniform(500, 1100));
      return;
    }
    case 'car': {
      paintShape(img, 'rect', g, [170 * k]);
      scatter(rng.uniform(-0.3, 0.3), 0, rng.uniform(500, 1000));
      return;
    }
    case 'storage tank': {
      paintShape(img, 'ellipse', g, [55 * k]);
      paintShape(img, 'ring', g, [280 * k], 1, 1.3 * s);
      // The rim facing the sensor (top: near range) returns a strong double bounce.
      addPointScatterer(img, g.cx, g.cy - g.h / 2 + 0.8, 900 * k);
      return;
    }
    case 'bridge': {
      paintShape(img, 'rect', g, [120 * k]);
      for (const v of [-0.45, 0.45]) paintShape(img, 'rect', part(g, 0, v * g.h, g.w, 0.15 * g.h + 0.6), [320 * k]);
      return;
    }
    case 'harbor': {
      paintShape(img, 'rect', g, [140 * k]);
      for (let n = rng.int(3, 6); n > 0; n--) scatter(rng.uniform(-0.45, 0.45), rng.uniform(-0.4, 0.4), rng.uniform(400, 900));
      return;
    }
    default:
      paintShape(img, 'rect', g, [150 * k]);
  }
}
