/**
 * Preview montages: a grid of rendered scenes with their annotations outlined, for the README
 * and for eyeballing that boxes sit on the objects.
 */
import path from 'node:path';
import { obbToPoly } from '@babelrs/boxes';
import { writeImage } from '../image/index.js';
import type { Modality } from '../sample.js';
import { createChwImage, type ChwImage } from '../transforms/index.js';
import { renderMiniSoiScene, type MiniSoiOptions } from './mini-soi.js';

/** Draws closed polygons (N×8 corner lists) as 1-px outlines in `color` (one value per channel). */
export function drawPolygons(img: ChwImage, polys: ArrayLike<number>, color: readonly number[]): void {
  for (let p = 0; p + 8 <= polys.length; p += 8) {
    for (let k = 0; k < 4; k++) {
      const x0 = polys[p + 2 * k];
      const y0 = polys[p + 2 * k + 1];
      const x1 = polys[p + ((2 * k + 2) % 8)];
      const y1 = polys[p + ((2 * k + 3) % 8)];
      const steps = Math.ceil(2 * Math.hypot(x1 - x0, y1 - y0)) + 1;
      for (let s = 0; s <= steps; s++) setPixel(img, x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps, color);
    }
  }
}

function setPixel(img: ChwImage, x: number, y: number, color: readonly number[]): void {
  const xi = Math.min(img.width - 1, Math.max(0, Math.floor(x)));
  const yi = Math.min(img.height - 1, Math.max(0, Math.floor(y)));
  const plane = img.width * img.height;
  for (let c = 0; c < img.channels; c++) img.data[c * plane + yi * img.width + xi] = color[c % color.length];
}

/** Colour per concept, so the same concept has the same outline in every modality. */
const OUTLINE: Record<string, [number, number, number]> = {
  ship: [255, 60, 60],
  aircraft: [60, 200, 255],
  car: [255, 230, 0],
  'storage tank': [255, 120, 255],
  bridge: [120, 255, 120],
  harbor: [255, 150, 40],
  'large vehicle': [0, 255, 200],
  truck: [0, 255, 200],
  bus: [160, 120, 255],
  van: [255, 255, 255],
  'freight car': [120, 255, 120],
};

/**
 * A `columns`-wide grid of scenes `indices` of one modality as an RGB image, with each object
 * outlined (SAR: its HBB; RGB/IR: its OBB) and, when `boxes` is false, the bare pixels.
 */
export function miniSoiMontage(modality: Modality, indices: readonly number[], opts: MiniSoiOptions & { columns?: number; boxes?: boolean } = {}): ChwImage {
  const columns = Math.max(1, Math.min(opts.columns ?? 4, indices.length));
  const rows = Math.ceil(indices.length / columns);
  const gap = 4;
  const scenes = indices.map((i) => renderMiniSoiScene(modality, i, opts));
  const size = scenes[0]?.image.width ?? 0;
  const out = createChwImage(columns * size + (columns + 1) * gap, rows * size + (rows + 1) * gap, 3, 255);
  scenes.forEach((scene, k) => {
    const tile = toRgb(scene.image);
    if (opts.boxes !== false) {
      for (const ob of scene.objects) {
        const poly = modality === 'sar' ? hbbPoly(ob.hbb) : obbToPoly(ob.obb);
        drawPolygons(tile, poly, OUTLINE[ob.concept] ?? [255, 0, 0]);
      }
    }
    blit(out, tile, gap + (k % columns) * (size + gap), gap + Math.floor(k / columns) * (size + gap));
  });
  return out;
}

function hbbPoly(h: ArrayLike<number>): Float64Array {
  return Float64Array.of(h[0], h[1], h[2], h[1], h[2], h[3], h[0], h[3]);
}

function toRgb(img: ChwImage): ChwImage {
  if (img.channels === 3) return { ...img, data: img.data.slice() };
  const plane = img.width * img.height;
  const out = createChwImage(img.width, img.height, 3);
  for (let c = 0; c < 3; c++) out.data.set(img.data.subarray(0, plane), c * plane);
  return out;
}

function blit(dst: ChwImage, src: ChwImage, x0: number, y0: number): void {
  const dp = dst.width * dst.height;
  const sp = src.width * src.height;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < src.height; y++) {
      dst.data.set(src.data.subarray(c * sp + y * src.width, c * sp + (y + 1) * src.width), c * dp + (y0 + y) * dst.width + x0);
    }
  }
}

/**
 * Writes `mini-soi-<modality>.png` montages (8 scenes each, boxes outlined) into `dir`; returns
 * the file paths. Used for the README previews (`docs/`).
 */
export async function writeMiniSoiPreviews(dir: string, opts: MiniSoiOptions & { indices?: readonly number[] } = {}): Promise<string[]> {
  const indices = opts.indices ?? [0, 1, 2, 3, 4, 5, 6, 7];
  const files: string[] = [];
  for (const m of ['sar', 'rgb', 'ir'] as const) {
    const file = path.join(dir, `mini-soi-${m}.png`);
    await writeImage(file, miniSoiMontage(m, indices, { ...opts, columns: 4 }), { bitDepth: 8 });
    files.push(file);
  }
  return files;
}
