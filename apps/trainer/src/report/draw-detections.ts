/**
 * Detections drawn on their image, as an 8-bit RGB PNG: used by `predict` (one PNG per input)
 * and by the HTML report (sample detections of each modality). Any decoded image (8/16-bit,
 * float SAR) is stretched to 0–255 by its 1st–99th percentile, grey images repeated to RGB;
 * boxes (HBB xyxy or OBB le90) are drawn as 2-px polygons, colour by class.
 */
import { hbbToPoly, obbToPoly } from '@babelrs/boxes';
import { decodeImage, encodeImage } from '@babelrs/datasets';

const PALETTE: Array<[number, number, number]> = [
  [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48], [145, 30, 180], [70, 240, 240], [240, 50, 230],
  [210, 245, 60], [250, 190, 212], [0, 128, 128], [220, 190, 255], [170, 110, 40], [255, 250, 200], [128, 0, 0],
];

export interface BoxesToDraw {
  boxType: 'hbb' | 'obb';
  boxes: Float64Array;
  names: readonly string[];
}

/** Colour of a class name (stable: the same class has the same colour in every picture). */
export function classColor(name: string): [number, number, number] {
  let h = 0;
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/** Detections in their class colour (2 px); ground truth, when given, as 1-px white outlines under them. */
export async function drawDetectionsPng(imagePath: string, d: BoxesToDraw, groundTruth?: Omit<BoxesToDraw, 'names'>): Promise<Uint8Array> {
  const img = await decodeImage(imagePath);
  const { width: w, height: h } = img;
  const rgb = toRgb8(img.data, img.channels, w, h);
  if (groundTruth) drawPolygons(rgb, w, h, groundTruth, () => [255, 255, 255], false);
  drawPolygons(rgb, w, h, d, (i) => classColor(d.names[i] ?? ''), true);
  return encodeImage({ data: rgb, width: w, height: h, channels: 3, bitDepth: 8 }, '.png');
}

function drawPolygons(rgb: Float32Array, w: number, h: number, d: Omit<BoxesToDraw, 'names'>, color: (i: number) => readonly number[], thick: boolean): void {
  const polys = d.boxType === 'hbb' ? hbbToPoly(d.boxes) : obbToPoly(d.boxes);
  const n = polys.length / 8;
  for (let i = 0; i < n; i++) {
    const c = color(i);
    for (let k = 0; k < 4; k++) {
      const a = (k * 2) % 8;
      const b = ((k + 1) * 2) % 8;
      drawLine(rgb, w, h, polys[i * 8 + a], polys[i * 8 + a + 1], polys[i * 8 + b], polys[i * 8 + b + 1], c, thick);
    }
  }
}

/** CHW float pixels → CHW 0–255 RGB, stretched per image by the 1st–99th percentile. */
function toRgb8(data: Float32Array, channels: number, w: number, h: number): Float32Array {
  const plane = w * h;
  const sorted = Float32Array.from(data.subarray(0, Math.min(data.length, plane * Math.min(channels, 3)))).sort();
  const lo = sorted[Math.floor(0.01 * (sorted.length - 1))];
  const hi = sorted[Math.floor(0.99 * (sorted.length - 1))];
  const scale = hi > lo ? 255 / (hi - lo) : 1;
  const out = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const src = Math.min(c, channels - 1) * plane;
    for (let i = 0; i < plane; i++) out[c * plane + i] = Math.max(0, Math.min(255, Math.round((data[src + i] - lo) * scale)));
  }
  return out;
}

/** A 1-px line, or 2-px (plus the pixel below / right) when `thick`, clipped to the image. */
function drawLine(rgb: Float32Array, w: number, h: number, x0: number, y0: number, x1: number, y1: number, c: readonly number[], thick: boolean): void {
  const plane = w * h;
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  for (let s = 0; s <= steps; s++) {
    const x = Math.round(x0 + ((x1 - x0) * s) / steps);
    const y = Math.round(y0 + ((y1 - y0) * s) / steps);
    for (const [dx, dy] of thick ? [[0, 0], [1, 0], [0, 1]] : [[0, 0]]) {
      const px = x + dx;
      const py = y + dy;
      if (px < 0 || py < 0 || px >= w || py >= h) continue;
      for (let ch = 0; ch < 3; ch++) rgb[ch * plane + py * w + px] = c[ch];
    }
  }
}
