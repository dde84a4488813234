/**
 * DOTA tiling (devkit `ImgSplit` semantics, see `tile-grid.ts` and `tile-objects.ts`):
 * split a large image and its labelTxt into `size × size` tiles overlapping by `gap`, write
 * `images/<tile>.<ext>` and `labelTxt/<tile>.txt` (tile names `<image>__1__<left>___<up>`,
 * as the devkit), and report what happened to the objects.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeImage } from '../image/decode-image.js';
import type { DecodedImage } from '../image/decoded-image.js';
import { writeImage } from '../image/write-image.js';
import { resizeBilinear } from '../transforms/resize-pad.js';
import { readDotaTxt, writeDotaTxt } from '@babelrs/formats';
import { tileName, tileWindows, type TileGridOptions, type TileWindow } from './tile-grid.js';
import { tileObjects, type TiledObject, type TileObjectsCounts, type TileObjectsOptions, type TileSourceObject } from './tile-objects.js';

export interface SplitOptions extends TileGridOptions, Omit<TileObjectsOptions, 'size'> {
  /**
   * Resize rate applied before cutting (devkit `splitdata(rate)`, multi-scale DOTA): polygons
   * scale by it, the image becomes `round(W·rate) × round(H·rate)` (bilinear here; the devkit
   * uses bicubic), and tile names carry it (`P0001__0.5__0___0`). Default 1.
   */
  rate?: number;
}

export interface TileAnnotations {
  name: string;
  window: TileWindow;
  objects: TiledObject[];
}

export interface SplitReport {
  image: string;
  width: number;
  height: number;
  tiles: { name: string; left: number; up: number; objects: number }[];
  /** Object outcomes summed over tiles (an object in k overlapping tiles counts k times). */
  counts: TileObjectsCounts;
  /** Source objects that appear (kept or marked difficult) in at least one tile. */
  sourceObjectsCovered: number;
  sourceObjects: number;
}

/** SOI-Det / DOTA_devkit defaults: 800-px tiles with a 200-px gap, keep > 70 % of area. */
export const SOI_DET_SPLIT: Readonly<SplitOptions> = { size: 800, gap: 200, thresh: 0.7, belowThreshold: 'difficult', integerCoords: true };

/** Tiles and their objects, without touching the disk. */
export function splitDotaAnnotations(
  image: string,
  objects: readonly TileSourceObject[],
  width: number,
  height: number,
  opts: SplitOptions,
): { tiles: TileAnnotations[]; counts: TileObjectsCounts; sourceObjectsCovered: number } {
  const counts: TileObjectsCounts = { kept: 0, markedDifficult: 0, droppedBelowThreshold: 0, droppedShape: 0, droppedZeroArea: 0 };
  const covered = new Set<number>();
  const rate = checkRate(opts.rate);
  const scaled = rate === 1 ? objects : objects.map((o) => ({ ...o, poly: Array.from(o.poly, (v) => v * rate) }));
  const tiles = tileWindows(scaledSize(width, rate), scaledSize(height, rate), opts).map((window) => {
    const r = tileObjects(scaled, window, opts);
    for (const k of Object.keys(counts) as (keyof TileObjectsCounts)[]) counts[k] += r.counts[k];
    for (const o of r.objects) covered.add(o.sourceIndex);
    return { name: tileName(image, window.left, window.up, rate), window, objects: r.objects };
  });
  return { tiles, counts, sourceObjectsCovered: covered.size };
}

export interface SplitImageOptions extends SplitOptions {
  /** Tile image extension (default `.png`; float or signed sources default to `.tif`). */
  ext?: string;
  /** Pad edge tiles with zeros to `size × size`, like the devkit (default true). */
  padding?: boolean;
  /** Tile images encoded at once (default 4). */
  concurrency?: number;
}

/**
 * Splits one image + labelTxt into `<outDir>/images` and `<outDir>/labelTxt` (atomic writes).
 * `labels` is a labelTxt path or already-read objects.
 */
export async function splitDotaImage(
  imagePath: string,
  labels: string | readonly TileSourceObject[],
  outDir: string,
  opts: SplitImageOptions = SOI_DET_SPLIT,
): Promise<SplitReport> {
  const rate = checkRate(opts.rate);
  const decoded = await decodeImage(imagePath);
  const img = rate === 1 ? decoded : { ...decoded, ...resizeBilinear(decoded, scaledSize(decoded.width, rate), scaledSize(decoded.height, rate)) };
  const objects = typeof labels === 'string' ? readDotaTxt(labels).objects : labels;
  const stem = path.basename(imagePath).replace(/\.[^.]+$/, '');
  const split = splitDotaAnnotations(stem, objects, decoded.width, decoded.height, opts);
  const ext = opts.ext ?? (img.sampleFormat === 'uint' && img.bitDepth <= 16 ? '.png' : '.tif');
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < split.tiles.length) {
      const t = split.tiles[next++];
      await writeImage(path.join(outDir, 'images', t.name + ext), cropTile(img, t.window.left, t.window.up, opts.size, opts.padding ?? true));
      writeDotaTxt(path.join(outDir, 'labelTxt', `${t.name}.txt`), t.objects);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  return {
    image: imagePath,
    width: decoded.width,
    height: decoded.height,
    tiles: split.tiles.map((t) => ({ name: t.name, left: t.window.left, up: t.window.up, objects: t.objects.length })),
    counts: split.counts,
    sourceObjectsCovered: split.sourceObjectsCovered,
    sourceObjects: objects.length,
  };
}

function checkRate(rate = 1): number {
  if (!(rate > 0 && Number.isFinite(rate))) throw new Error(`split: rate must be a positive number, got ${rate}`);
  return rate;
}

/** Image side after resizing by `rate` (cv2.resize rounds). */
function scaledSize(side: number, rate: number): number {
  return Math.max(1, Math.round(side * rate));
}

/** Pixels `[up, up + size) × [left, left + size)` (devkit slicing), zero-padded to size × size when `pad`. */
export function cropTile(img: DecodedImage, left: number, up: number, size: number, pad: boolean): DecodedImage {
  const w = Math.min(size, img.width - left);
  const h = Math.min(size, img.height - up);
  const outW = pad ? size : w;
  const outH = pad ? size : h;
  const data = new Float32Array(img.channels * outW * outH);
  for (let c = 0; c < img.channels; c++) {
    const src = c * img.width * img.height;
    const dst = c * outW * outH;
    for (let y = 0; y < h; y++) {
      const row = src + (up + y) * img.width + left;
      data.set(img.data.subarray(row, row + w), dst + y * outW);
    }
  }
  return { ...img, data, width: outW, height: outH };
}

export interface SplitDatasetReport {
  images: SplitReport[];
  tiles: number;
  counts: TileObjectsCounts;
  /** Images without a label file (split with no objects, like the devkit's empty labelTxt). */
  imagesWithoutLabels: string[];
}

/**
 * Splits a DOTA folder (`<srcDir>/images/*`, `<srcDir>/labelTxt/<stem>.txt`) into
 * `<outDir>/images` + `<outDir>/labelTxt`, image by image (one full image in memory at a time).
 */
export async function splitDotaDataset(srcDir: string, outDir: string, opts: SplitImageOptions = SOI_DET_SPLIT): Promise<SplitDatasetReport> {
  const imageDir = path.join(srcDir, 'images');
  const files = (await fs.promises.readdir(imageDir)).filter((f) => /\.(png|jpe?g|tiff?|bmp)$/i.test(f)).sort();
  const report: SplitDatasetReport = { images: [], tiles: 0, counts: { kept: 0, markedDifficult: 0, droppedBelowThreshold: 0, droppedShape: 0, droppedZeroArea: 0 }, imagesWithoutLabels: [] };
  for (const f of files) {
    const label = path.join(srcDir, 'labelTxt', f.replace(/\.[^.]+$/, '.txt'));
    const hasLabel = fs.existsSync(label);
    if (!hasLabel) report.imagesWithoutLabels.push(f);
    const r = await splitDotaImage(path.join(imageDir, f), hasLabel ? label : [], outDir, opts);
    report.images.push(r);
    report.tiles += r.tiles.length;
    for (const k of Object.keys(report.counts) as (keyof TileObjectsCounts)[]) report.counts[k] += r.counts[k];
  }
  return report;
}
