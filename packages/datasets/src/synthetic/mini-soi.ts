/**
 * The built-in synthetic multi-modal set "mini-SOI": small procedural scenes sharing concepts
 * across SAR, RGB and IR, written in the real SOI-Det formats and layout (COCO JSON for SAR,
 * DOTA txt for RGB and IR, PNG images; see `formats/soi-det-layout.ts`) so `loadSoiDet` and the
 * trainer read it exactly like the real data. Deterministic: image i of modality m depends only
 * on (seed, m, i, options), so the same options give byte-identical files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { obbToHbb, obbToPoly, normalizeObb, polyToObb } from '@babelrs/boxes';
import { ensureDir } from '@babelrs/formats';
import { classesOfModality } from '../classes.js';
import { writeCocoJson, writeDotaTxt, writeFileAtomic, type CocoWriteInput } from '../formats/index.js';
import { writeImage } from '../image/index.js';
import { MODALITIES, type Modality } from '../sample.js';
import { prngFor } from '../sampling/prng.js';
import type { ChwImage } from '../transforms/index.js';
import { MODALITY_CONCEPTS, classForConcept, type SyntheticConcept } from './concepts.js';
import { renderIr } from './render-ir.js';
import { renderRgb } from './render-rgb.js';
import { renderSar } from './render-sar.js';
import { planScene } from './scene.js';

export interface MiniSoiOptions {
  seed?: number;
  /** Square image side in pixels (default 128). */
  imageSize?: number;
  /** Images per modality (default 1000 each: 3000 in all). */
  images?: Partial<Record<Modality, number>>;
  /** Split fractions, assigned in index order (default train 0.8, val 0.1, test 0.1). */
  splits?: Record<string, number>;
  /** Objects per image, inclusive range (default [2, 6]). */
  objects?: [number, number];
  /** 0 (clean, large, high contrast) … 1 (noisy, small, many faint objects); default 0.3. */
  difficulty?: number;
  /** Multiplies every object size (default 1: ships 14–30 px long at 128 px, cars 5.5–8 px). */
  objectScale?: number;
}

export interface MiniSoiObject {
  concept: SyntheticConcept;
  /** The modality's class name (`plane` for an RGB aircraft) and its unified id. */
  className: string;
  label: number;
  /** OBB le90 exactly as the DOTA label file reads back (SAR: the footprint's OBB). */
  obb: Float64Array;
  /** The drawn footprint as an OBB le90, before rounding. */
  footprint: Float64Array;
  /** The 4 corners written to the DOTA label file (footprint corners rounded to 0.01 px). */
  poly: Float64Array;
  /** Enclosing HBB xyxy, clipped to the image (what the SAR COCO file stores). */
  hbb: Float64Array;
  difficult: 0 | 1;
}

export interface MiniSoiScene {
  modality: Modality;
  index: number;
  split: string;
  /** File stem: `<modality>_<index, 5 digits>`. */
  stem: string;
  image: ChwImage;
  objects: MiniSoiObject[];
}

export interface MiniSoiResult {
  root: string;
  /** Images per `<modality>/<split>`. */
  counts: Record<string, number>;
  images: number;
  objects: number;
  seconds: number;
}

const DEFAULTS = { seed: 0, imageSize: 128, objects: [2, 6] as [number, number], difficulty: 0.3, objectScale: 1, splits: { train: 0.8, val: 0.1, test: 0.1 } };

/** Resolved options (the defaults filled in). */
export function resolveMiniSoiOptions(opts: MiniSoiOptions = {}): Required<MiniSoiOptions> {
  const images = { sar: 1000, rgb: 1000, ir: 1000, ...opts.images };
  const r = { ...DEFAULTS, ...opts, images };
  if (!(Number.isInteger(r.imageSize) && r.imageSize >= 48)) throw new RangeError(`mini-SOI: imageSize must be an integer ≥ 48, got ${r.imageSize}`);
  if (!(r.objectScale > 0 && r.objectScale <= 4)) throw new RangeError(`mini-SOI: objectScale must be in (0, 4], got ${r.objectScale}`);
  if (!(r.difficulty >= 0 && r.difficulty <= 1)) throw new RangeError(`mini-SOI: difficulty must be in [0, 1], got ${r.difficulty}`);
  if (!(Number.isInteger(r.objects[0]) && Number.isInteger(r.objects[1]) && r.objects[0] >= 1 && r.objects[1] >= r.objects[0] && r.objects[1] < 1e4)) throw new RangeError(`mini-SOI: objects must be an integer range [min ≥ 1, max ≥ min], got [${r.objects}]`);
  for (const m of MODALITIES) {
    if (!(Number.isInteger(images[m]) && images[m] >= 0)) throw new RangeError(`mini-SOI: images.${m} must be a non-negative integer, got ${images[m]}`);
  }
  const fractions = Object.values(r.splits);
  if (fractions.length === 0 || fractions.some((f) => !(f >= 0)) || Math.abs(fractions.reduce((a, b) => a + b, 0) - 1) > 1e-9) {
    throw new RangeError(`mini-SOI: split fractions must be ≥ 0 and sum to 1, got ${JSON.stringify(r.splits)}`);
  }
  return r;
}

/** The split of image `index` out of `total` (fractions assigned in index order). */
export function splitOf(index: number, total: number, splits: Record<string, number>): string {
  let acc = 0;
  const names = Object.keys(splits);
  for (const name of names) {
    acc += splits[name];
    if (index < Math.round(acc * total)) return name;
  }
  return names[names.length - 1];
}

/** Renders one scene in memory (no files): the pixels and its annotations. */
export function renderMiniSoiScene(modality: Modality, index: number, opts: MiniSoiOptions = {}): MiniSoiScene {
  const o = resolveMiniSoiOptions(opts);
  const rng = prngFor(o.seed, MODALITIES.indexOf(modality), index);
  const concepts = MODALITY_CONCEPTS[modality];
  const size = o.imageSize;
  const plan = planScene(modality, rng, {
    width: size,
    height: size,
    objects: o.objects,
    // Cycling the primary concept guarantees every class appears once there are enough images.
    primary: concepts[index % concepts.length],
    sizeScale: (size / 128) * o.objectScale * (1 - 0.3 * o.difficulty),
    faintProb: 0.35 * o.difficulty,
  });
  const render = modality === 'sar' ? renderSar : modality === 'rgb' ? renderRgb : renderIr;
  const image = render(plan, rng, o.difficulty);
  const objects = plan.objects.map((ob): MiniSoiObject => {
    const cls = classForConcept(modality, ob.concept);
    const raw = normalizeObb([ob.geom.cx, ob.geom.cy, ob.geom.w, ob.geom.h, ob.geom.angleRad], 'le90');
    // RGB/IR labels store the polygon rounded to 2 decimals; keep the OBB the file reads back.
    const poly = roundPoly(obbToPoly(raw));
    const obb = modality === 'sar' ? raw : polyToObb(poly, 'le90');
    return { concept: ob.concept, className: cls.name, label: cls.id, obb, footprint: raw, poly, hbb: clipHbb(obbToHbb(raw), size), difficult: ob.faint && modality !== 'sar' ? 1 : 0 };
  });
  const total = o.images[modality] ?? 0;
  return { modality, index, split: splitOf(index, Math.max(total, index + 1), o.splits), stem: `${modality}_${String(index).padStart(5, '0')}`, image, objects };
}

/**
 * Generates the whole set under `root` (which must not exist yet, unless `overwrite`). Everything
 * is written into a temporary sibling folder first and renamed into place at the end, so a
 * crash never leaves a half-written dataset that looks complete.
 */
export async function generateMiniSoi(root: string, opts: MiniSoiOptions & { overwrite?: boolean; concurrency?: number } = {}): Promise<MiniSoiResult> {
  const t0 = performance.now();
  const o = resolveMiniSoiOptions(opts);
  const target = path.resolve(root);
  if (fs.existsSync(target) && !opts.overwrite) throw new Error(`generateMiniSoi: ${target} already exists (pass overwrite: true to replace it)`);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  const counts: Record<string, number> = {};
  let objects = 0;
  try {
    for (const modality of MODALITIES) {
      const n = o.images[modality] ?? 0;
      const coco = new Map<string, CocoWriteInput & { annotations: CocoWriteInput['annotations'][number][] }>();
      await forEachLimited(n, opts.concurrency ?? 8, async (i) => {
        const scene = renderMiniSoiScene(modality, i, o);
        objects += scene.objects.length;
        counts[`${modality}/${scene.split}`] = (counts[`${modality}/${scene.split}`] ?? 0) + 1;
        await writeImage(path.join(tmp, modality, 'images', scene.split, `${scene.stem}.png`), scene.image, { bitDepth: 8 });
        if (modality === 'sar') addCocoImage(coco, scene);
        else writeDotaTxt(path.join(tmp, modality, 'labelTxt', scene.split, `${scene.stem}.txt`), dotaObjects(scene), { imageSource: 'mini-SOI (synthetic)', gsd: null });
      });
      for (const [split, data] of coco) {
        // Images were added in completion order; files must not depend on timing.
        data.images = [...data.images].sort((a, b) => a.id - b.id);
        data.annotations.sort((a, b) => a.id - b.id);
        data.annotations.forEach((a, k) => (a.id = k + 1));
        writeCocoJson(path.join(tmp, 'sar', 'annotations', `${split}.json`), data);
      }
    }
    writeFileAtomic(path.join(tmp, 'mini-soi.json'), JSON.stringify({ name: 'mini-SOI', generator: '@babelrs/datasets generateMiniSoi', options: o, counts }, null, 2) + '\n');
    swapIntoPlace(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return { root: target, counts, images: Object.values(counts).reduce((a, b) => a + b, 0), objects, seconds: (performance.now() - t0) / 1000 };
}

function addCocoImage(coco: Map<string, CocoWriteInput & { annotations: CocoWriteInput['annotations'][number][] }>, scene: MiniSoiScene): void {
  let data = coco.get(scene.split);
  if (!data) {
    const categories = classesOfModality('sar').map((c, k) => ({ id: k + 1, name: c.name }));
    data = { images: [], categories, annotations: [], info: { description: 'mini-SOI synthetic SAR (BabelRS-TS)' } };
    coco.set(scene.split, data);
  }
  const sarClasses = classesOfModality('sar');
  const imageId = scene.index + 1;
  (data.images as { id: number; fileName: string; width: number; height: number }[]).push({ id: imageId, fileName: `${scene.stem}.png`, width: scene.image.width, height: scene.image.height });
  scene.objects.forEach((ob, k) => {
    const [x1, y1, x2, y2] = Array.from(ob.hbb, round2);
    data.annotations.push({
      // Provisional (image, object) order key; renumbered 1…N once all images are in.
      id: imageId * 1e4 + k,
      imageId,
      categoryId: sarClasses.findIndex((c) => c.id === ob.label) + 1,
      bbox: [x1, y1, round2(x2 - x1), round2(y2 - y1)],
    });
  });
}

function dotaObjects(scene: MiniSoiScene) {
  return scene.objects.map((ob) => ({ poly: ob.poly, className: ob.className, difficult: ob.difficult }));
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

function roundPoly(p: Float64Array): Float64Array {
  return p.map(round2);
}

function clipHbb(h: Float64Array, size: number): Float64Array {
  return h.map((v) => Math.min(size, Math.max(0, v)));
}

/** Replaces `target` with `tmp` (renames; the old copy is removed only after the swap). */
function swapIntoPlace(tmp: string, target: string): void {
  if (fs.existsSync(target)) {
    const old = `${tmp}.old`;
    fs.renameSync(target, old);
    fs.renameSync(tmp, target);
    fs.rmSync(old, { recursive: true, force: true });
  } else {
    ensureDir(path.dirname(target)); // not mkdir({ recursive }): it never returns below /proc
    fs.renameSync(tmp, target);
  }
}

/** Runs `fn(0..n-1)` with at most `limit` in flight (image encodes overlap the next renders). */
async function forEachLimited(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
}
