/**
 * A tiny anti-aliased rasteriser for the synthetic set: rotated rectangles, ellipses and rings
 * painted into a CHW float image with coverage computed from a signed distance (half a pixel
 * of soft edge), plus smooth value noise for textures and a box blur for thermal softness.
 */
import type { ChwImage } from '../transforms/index.js';
import type { Prng } from '../sampling/prng.js';

/** A shape in the image plane: centre, full size along its own axes, angle (rad, le90 sense). */
export interface ShapeGeom {
  cx: number;
  cy: number;
  w: number;
  h: number;
  angleRad: number;
}

export type ShapeKind = 'rect' | 'ellipse' | 'ring';

/** Signed distance (px, negative inside) of pixel centre (px, py) to the shape. */
function signedDistance(kind: ShapeKind, g: ShapeGeom, px: number, py: number, ringWidth: number): number {
  const dx = px - g.cx;
  const dy = py - g.cy;
  const c = Math.cos(g.angleRad);
  const s = Math.sin(g.angleRad);
  const u = dx * c + dy * s;
  const v = -dx * s + dy * c;
  if (kind === 'rect') return Math.max(Math.abs(u) - g.w / 2, Math.abs(v) - g.h / 2);
  const rx = g.w / 2;
  const ry = g.h / 2;
  const k = Math.hypot(u / rx, v / ry);
  const sd = (k - 1) * Math.min(rx, ry);
  return kind === 'ellipse' ? sd : Math.abs(sd + ringWidth / 2) - ringWidth / 2;
}

/**
 * Blends `color` (one value per channel) into the image over the shape, weighted by pixel
 * coverage × `alpha` (× `mask[pixel]` when given, e.g. "land only").
 */
export function paintShape(img: ChwImage, kind: ShapeKind, g: ShapeGeom, color: readonly number[], alpha = 1, ringWidth = 1, mask?: Float32Array): void {
  const { width: W, height: H, channels, data } = img;
  const r = Math.hypot(g.w, g.h) / 2 + 1;
  const x0 = Math.max(0, Math.floor(g.cx - r));
  const x1 = Math.min(W - 1, Math.ceil(g.cx + r));
  const y0 = Math.max(0, Math.floor(g.cy - r));
  const y1 = Math.min(H - 1, Math.ceil(g.cy + r));
  const plane = W * H;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const cov = Math.min(1, Math.max(0, 0.5 - signedDistance(kind, g, x + 0.5, y + 0.5, ringWidth)));
      if (cov <= 0) continue;
      const i = y * W + x;
      const a = cov * alpha * (mask ? mask[i] : 1);
      for (let ch = 0; ch < channels; ch++) data[ch * plane + i] += (color[ch % color.length] - data[ch * plane + i]) * a;
    }
  }
}

/** Adds `amount` (per channel) to a small bright spot: a point scatterer with a cross-shaped sidelobe. */
export function addPointScatterer(img: ChwImage, x: number, y: number, amount: number): void {
  const { width: W, height: H, data } = img;
  const xi = Math.floor(x);
  const yi = Math.floor(y);
  const taps: [number, number, number][] = [[0, 0, 1], [1, 0, 0.35], [-1, 0, 0.35], [0, 1, 0.35], [0, -1, 0.35], [2, 0, 0.1], [-2, 0, 0.1], [0, 2, 0.1], [0, -2, 0.1]];
  for (const [dx, dy, w] of taps) {
    const xx = xi + dx;
    const yy = yi + dy;
    if (xx >= 0 && yy >= 0 && xx < W && yy < H) data[yy * W + xx] += amount * w;
  }
}

/**
 * Smooth value noise in [0, 1]: random values on a grid with spacing `cellPx`, interpolated
 * with smoothstep, summed over `octaves` (each half the cell size and half the weight).
 */
export function valueNoise(rng: Prng, width: number, height: number, cellPx: number, octaves = 3): Float32Array {
  const out = new Float32Array(width * height);
  let weight = 1;
  let total = 0;
  let cell = cellPx;
  for (let o = 0; o < octaves; o++) {
    const gw = Math.ceil(width / cell) + 2;
    const gh = Math.ceil(height / cell) + 2;
    const grid = new Float32Array(gw * gh).map(() => rng.next());
    for (let y = 0; y < height; y++) {
      const fy = y / cell;
      const iy = Math.floor(fy);
      const ty = smooth(fy - iy);
      for (let x = 0; x < width; x++) {
        const fx = x / cell;
        const ix = Math.floor(fx);
        const tx = smooth(fx - ix);
        const a = grid[iy * gw + ix] + (grid[iy * gw + ix + 1] - grid[iy * gw + ix]) * tx;
        const b = grid[(iy + 1) * gw + ix] + (grid[(iy + 1) * gw + ix + 1] - grid[(iy + 1) * gw + ix]) * tx;
        out[y * width + x] += weight * (a + (b - a) * ty);
      }
    }
    total += weight;
    weight /= 2;
    cell = Math.max(1, cell / 2);
  }
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

/** Separable box blur of every channel with a (2r+1)-wide kernel, edges clamped. */
export function boxBlur(img: ChwImage, radius: number): void {
  if (radius <= 0) return;
  const { width: W, height: H, channels, data } = img;
  const tmp = new Float32Array(Math.max(W, H));
  const n = 2 * radius + 1;
  for (let c = 0; c < channels; c++) {
    const base = c * W * H;
    for (let y = 0; y < H; y++) blurLine(data, base + y * W, 1, W, radius, n, tmp);
    for (let x = 0; x < W; x++) blurLine(data, base + x, W, H, radius, n, tmp);
  }
}

function blurLine(data: Float32Array, start: number, stride: number, len: number, r: number, n: number, tmp: Float32Array): void {
  for (let i = 0; i < len; i++) tmp[i] = data[start + i * stride];
  for (let i = 0; i < len; i++) {
    let s = 0;
    for (let k = -r; k <= r; k++) s += tmp[Math.min(len - 1, Math.max(0, i + k))];
    data[start + i * stride] = s / n;
  }
}

/** Clamps every value to [lo, hi]. */
export function clampImage(img: ChwImage, lo: number, hi: number): void {
  const d = img.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i] < lo ? lo : d[i] > hi ? hi : d[i];
}
