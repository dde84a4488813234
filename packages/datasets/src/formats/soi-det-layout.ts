/**
 * The SOI-Det folder layout and its loader.
 *
 * Layout (one folder per modality; any modality or split may be absent):
 *
 * ```text
 * <root>/
 *   sar/
 *     annotations/<split>.json        COCO instances JSON (HBB), SAR class names (ship, aircraft, …)
 *     images/<split>/<file_name>      file_name as written in the JSON (may contain sub-folders)
 *   rgb/
 *     labelTxt/<split>/<stem>.txt     DOTA-v1 txt: x1 y1 … x4 y4 class difficult (DOTA-v1.0 names)
 *     images/<split>/<stem>.<ext>     ext: png, jpg, jpeg, tif, tiff, bmp (first found, in that order; any case)
 *   ir/
 *     labelTxt/<split>/<stem>.txt     DOTA-v1 txt with DroneVehicle names (car, truck, bus, van, freight_car)
 *     images/<split>/<stem>.<ext>
 * ```
 *
 * `<split>` is `train`, `val` or `test` (any name works; the loader takes the ones asked for).
 * SAR category ids are free (COCO-like variants such as 0-based ids are read with a notice);
 * category *names* must be SAR class names. DOTA `imagesource:`/`gsd:` headers are optional.
 * Class names are matched exactly, or through the class list's `aliases` (the SOI-Det release
 * spells RGB `Ship`, `Harbor`, `Bridge` and IR `CAR`, `TRUCK`, `BUS`, `VAN`, `FERIGHT_CAR`).
 * An RGB/IR label file without an image, or a SAR image entry whose file is missing, is an
 * error naming it (skipped and reported in lenient mode); images without a label file are ignored.
 * Sample ids are `<modality>/<split>/<stem>` so they stay unique across the whole set.
 * Labels come out in the unified 26-class space (`classes.ts`); SAR boxes are HBB xyxy,
 * RGB/IR boxes are OBB le90 (minimum-area rectangle of the DOTA polygon, via `@babelrs/boxes`).
 * The synthetic mini-SOI set is written in exactly this layout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { polyToObb } from '@babelrs/boxes';
import { SOI_DET_CLASSES, type UnifiedClass } from '../classes.js';
import { DatasetError, IssueSink, type ReadOptions, type SkippedRecord } from '../errors.js';
import { readImageInfo } from '../image/decode-image.js';
import type { DetectionSample, Modality } from '../sample.js';
import { readCocoJson, readDotaTxt, type CocoDataset } from '@babelrs/formats';

export const SOI_DET_SPLITS = ['train', 'val', 'test'] as const;

/** Image extensions tried, in order, for a DOTA-style label file's image. */
export const SOI_DET_IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.bmp'] as const;

export interface SoiDetLoadOptions extends ReadOptions {
  /** Splits to load (default: train, val, test — the ones present). */
  splits?: readonly string[];
  /** Modalities to load (default: all three — the ones present). */
  modalities?: readonly Modality[];
  /** Unified class list (default: `SOI_DET_CLASSES`, from `data/soi-det-classes.json`). */
  classes?: readonly UnifiedClass[];
  /** Check that every SAR image exists (default true). RGB/IR images are always read: their sizes come from the headers. */
  checkImages?: boolean;
  /** How to treat COCO-like SAR JSON variants (see `readCocoJson`). */
  cocoVariants?: 'accept' | 'reject';
  /**
   * Per-modality renames applied to the class names found in files before the class lookup,
   * e.g. `{ ir: { feright_car: 'freight_car' } }` for spelling variants of a real dataset.
   * (A DOTA txt class name cannot contain a space; DroneVehicle's XML `feright car` is renamed
   * while converting, with `vocToDotaObjects(objects, { rename })`.)
   */
  classAliases?: Partial<Record<Modality, Readonly<Record<string, string>>>>;
  /**
   * RGB/IR: drop objects whose minimum-area rectangle has a side shorter than this (px), as
   * mmrotate's DOTADataset does with 2 (`poly2obb_np` → None for w < 2 or h < 2), e.g. to
   * evaluate against the same ground truth as the reference code. Default 0: keep everything.
   */
  minObbSide?: number;
  /** Header reads in flight at once (default 16). */
  concurrency?: number;
}

export interface SoiDetLoadResult {
  samples: DetectionSample[];
  /** Samples per `<modality>/<split>`. */
  counts: Record<string, number>;
  /** Records skipped in lenient mode, each with file, line/field and reason. */
  skipped: SkippedRecord[];
  notices: string[];
}

/** Loads an SOI-Det-layout dataset (see the module comment) into `DetectionSample`s. */
export async function loadSoiDet(root: string, opts: SoiDetLoadOptions = {}): Promise<SoiDetLoadResult> {
  if (!fs.existsSync(root)) throw new DatasetError({ file: root }, 'dataset root not found');
  const sink = new IssueSink(opts.lenient);
  const classes = opts.classes ?? SOI_DET_CLASSES;
  const result: SoiDetLoadResult = { samples: [], counts: {}, skipped: sink.skipped, notices: sink.notices };
  for (const modality of opts.modalities ?? (['sar', 'rgb', 'ir'] as const)) {
    for (const split of opts.splits ?? SOI_DET_SPLITS) {
      const ctx: LoadContext = { root: path.resolve(root), modality, split, classes, sink, opts };
      const samples = modality === 'sar' ? loadCocoSplit(ctx) : await loadDotaSplit(ctx);
      if (samples === undefined) continue;
      result.counts[`${modality}/${split}`] = samples.length;
      result.samples.push(...samples);
    }
  }
  if (result.samples.length === 0) sink.notice(`${root}: no samples found (expected the SOI-Det layout: sar/, rgb/, ir/)`);
  return result;
}

interface LoadContext {
  root: string;
  modality: Modality;
  split: string;
  classes: readonly UnifiedClass[];
  sink: IssueSink;
  opts: SoiDetLoadOptions;
}

/** Name (class list name, the class's data `aliases`, or an option alias) → unified id for one modality. */
function classIndex(ctx: LoadContext): Map<string, number> {
  const own = ctx.classes.filter((c) => c.modality === ctx.modality);
  const index = new Map(own.map((c) => [c.name, c.id]));
  // Release spellings (SOI-Det's DOTA `Ship`, DroneVehicle `CAR`) never shadow a real class name.
  for (const c of own) for (const a of c.aliases ?? []) if (!index.has(a)) index.set(a, c.id);
  for (const [alias, name] of Object.entries(ctx.opts.classAliases?.[ctx.modality] ?? {})) {
    const id = index.get(name);
    if (id === undefined) throw new Error(`loadSoiDet: classAliases.${ctx.modality}["${alias}"] names "${name}", which is not a ${ctx.modality} class`);
    index.set(alias, id);
  }
  return index;
}

function expectedNames(index: Map<string, number>): string {
  return [...index.keys()].join(', ');
}

/** SAR: `sar/annotations/<split>.json` + `sar/images/<split>/`. Undefined when the split is absent. */
function loadCocoSplit(ctx: LoadContext): DetectionSample[] | undefined {
  const annFile = path.join(ctx.root, 'sar', 'annotations', `${ctx.split}.json`);
  if (!fs.existsSync(annFile)) return orphanImages(ctx, path.join(ctx.root, 'sar', 'images', ctx.split), annFile);
  const ds = readCocoJson(annFile, { sink: ctx.sink, variants: ctx.opts.cocoVariants });
  const index = classIndex(ctx);
  const categoryLabel = sarCategoryLabels(ds, index, annFile, ctx.sink);
  const imageDir = path.join(ctx.root, 'sar', 'images', ctx.split);
  const byImage = new Map<number, CocoDataset['annotations']>();
  for (const a of ds.annotations) {
    if (!categoryLabel.has(a.categoryId)) continue; // unknown class, already reported
    const list = byImage.get(a.imageId) ?? [];
    list.push(a);
    byImage.set(a.imageId, list);
  }
  const samples: DetectionSample[] = [];
  ds.images.forEach((im, i) => {
    const imagePath = path.join(imageDir, im.fileName);
    if (ctx.opts.checkImages !== false && !fs.existsSync(imagePath)) {
      return ctx.sink.fail({ file: annFile, field: `images[${i}].file_name` }, `image file not found: ${imagePath}`);
    }
    const anns = byImage.get(im.id) ?? [];
    const boxes = new Float64Array(anns.length * 4);
    const labels = new Int32Array(anns.length);
    const difficult = new Uint8Array(anns.length);
    anns.forEach((a, k) => {
      const [x, y, w, h] = a.bbox;
      boxes.set([x, y, x + w, y + h], k * 4);
      labels[k] = categoryLabel.get(a.categoryId)!;
      difficult[k] = a.iscrowd || a.ignore ? 1 : 0;
    });
    const stem = im.fileName.replace(/\.[^./\\]+$/, '');
    samples.push({ id: `sar/${ctx.split}/${stem}`, modality: 'sar', imagePath, width: im.width, height: im.height, boxType: 'hbb', boxes, labels, difficult });
  });
  return samples;
}

/**
 * COCO category id → unified label. A category that is not a SAR class is an error naming the
 * category; in lenient mode each annotation it drops is reported (one skipped record each).
 */
function sarCategoryLabels(ds: CocoDataset, index: Map<string, number>, file: string, sink: IssueSink): Map<number, number> {
  const out = new Map<number, number>();
  ds.categories.forEach((c, j) => {
    const id = index.get(c.name);
    if (id !== undefined) return out.set(c.id, id);
    const used = ds.annotations.filter((a) => a.categoryId === c.id);
    if (used.length === 0) return;
    const reason = `unknown class "${c.name}" used by ${used.length} annotation(s) (expected one of: ${expectedNames(index)})`;
    if (!sink.lenient) return sink.fail({ file, field: `categories[${j}].name` }, reason);
    for (const a of used) sink.fail({ file, field: `annotation id ${a.id} (categories[${j}].name)` }, reason);
  });
  return out;
}

/**
 * A split whose images exist but whose labels do not is an error (lenient: reported), not a
 * silently missing modality: a typo in `labelTxt` would otherwise drop a third of the data.
 * Returns undefined (split absent) when there are no images either.
 */
function orphanImages(ctx: LoadContext, imageDir: string, labels: string): undefined {
  const images = imagesByStem(imageDir);
  if (images.size > 0) {
    ctx.sink.fail({ file: labels }, `not found, but ${path.relative(ctx.root, imageDir)} holds ${images.size} image(s): labels missing for ${ctx.modality}/${ctx.split}`);
  }
  return undefined;
}

/** RGB / IR: `<m>/labelTxt/<split>/*.txt` + `<m>/images/<split>/`. Undefined when the split is absent. */
async function loadDotaSplit(ctx: LoadContext): Promise<DetectionSample[] | undefined> {
  const labelDir = path.join(ctx.root, ctx.modality, 'labelTxt', ctx.split);
  const imageDir = path.join(ctx.root, ctx.modality, 'images', ctx.split);
  if (!fs.existsSync(labelDir)) return orphanImages(ctx, imageDir, labelDir);
  const index = classIndex(ctx);
  const files = fs.readdirSync(labelDir).filter((f) => f.endsWith('.txt')).sort();
  const images = imagesByStem(imageDir);
  const built = files.map((f) => buildDotaSample(ctx, path.join(labelDir, f), imageDir, images, index));
  const samples = built.filter((s): s is DetectionSample => s !== undefined);
  await fillImageSizes(samples, ctx);
  return samples.filter((s) => s.width > 0);
}

function buildDotaSample(ctx: LoadContext, labelFile: string, imageDir: string, images: Map<string, string>, index: Map<string, number>): DetectionSample | undefined {
  const stem = path.basename(labelFile, '.txt');
  const image = images.get(stem);
  const imagePath = image === undefined ? undefined : path.join(imageDir, image);
  if (!imagePath) {
    const tried = SOI_DET_IMAGE_EXTENSIONS.map((e) => stem + e).join(', ');
    return void ctx.sink.fail({ file: labelFile }, `image not found for this label file: looked for ${tried} in ${imageDir}`);
  }
  const label = readDotaTxt(labelFile, { sink: ctx.sink, classes: [...index.keys()] });
  const n = label.objects.length;
  const polys = new Float64Array(n * 8);
  const labels = new Int32Array(n);
  const difficult = new Uint8Array(n);
  label.objects.forEach((o, k) => {
    polys.set(o.poly, k * 8);
    labels[k] = index.get(o.className)!;
    difficult[k] = o.difficult ? 1 : 0;
  });
  const boxes = n ? polyToObb(polys, 'le90') : new Float64Array(0);
  const sample: DetectionSample = { id: `${ctx.modality}/${ctx.split}/${stem}`, modality: ctx.modality, imagePath, width: 0, height: 0, boxType: 'obb', boxes, labels, difficult };
  return dropThinObbs(sample, ctx.opts.minObbSide ?? 0, labelFile, ctx.sink);
}

/**
 * mmrotate's `DOTADataset` drops an object whose minimum-area rectangle has a side < 2 px
 * (`poly2obb_np` returns None): slivers the devkit's tiling leaves at tile borders. With
 * `minObbSide` the loader does the same, with one notice per file saying how many went.
 */
function dropThinObbs(s: DetectionSample, minSide: number, file: string, sink: IssueSink): DetectionSample {
  if (!(minSide > 0)) return s;
  const keep: number[] = [];
  for (let k = 0; k < s.labels.length; k++) if (s.boxes[k * 5 + 2] >= minSide && s.boxes[k * 5 + 3] >= minSide) keep.push(k);
  if (keep.length === s.labels.length) return s;
  sink.notice(`${file}: ${s.labels.length - keep.length} object(s) with a side < ${minSide} px dropped (minObbSide, as mmrotate's DOTADataset)`);
  const boxes = new Float64Array(keep.length * 5);
  keep.forEach((k, j) => boxes.set(s.boxes.subarray(k * 5, k * 5 + 5), j * 5));
  return { ...s, boxes, labels: Int32Array.from(keep, (k) => s.labels[k]), difficult: Uint8Array.from(keep, (k) => s.difficult[k]) };
}

/**
 * Image file per stem in one listing (not 6 existence checks per label file): the first
 * extension in `SOI_DET_IMAGE_EXTENSIONS` order wins, matched case-insensitively (`.PNG`, `.JPG`
 * and `.TIF` occur in real datasets and Linux file systems are case-sensitive).
 */
function imagesByStem(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const rank = new Map<string, number>();
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  for (const name of names) {
    const ext = path.extname(name);
    const k = SOI_DET_IMAGE_EXTENSIONS.indexOf(ext.toLowerCase() as (typeof SOI_DET_IMAGE_EXTENSIONS)[number]);
    if (k < 0) continue;
    const r = 2 * k + (ext === SOI_DET_IMAGE_EXTENSIONS[k] ? 0 : 1); // `a.png` before `a.PNG`
    const stem = name.slice(0, name.length - ext.length);
    if ((rank.get(stem) ?? Infinity) <= r) continue;
    rank.set(stem, r);
    out.set(stem, name);
  }
  return out;
}

/** Reads image headers (bounded concurrency); an unreadable image is reported and its sample dropped. */
async function fillImageSizes(samples: DetectionSample[], ctx: LoadContext): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < samples.length) {
      const s = samples[next++];
      try {
        const info = await readImageInfo(s.imagePath);
        s.width = info.width;
        s.height = info.height;
      } catch (err) {
        if (!(err instanceof DatasetError)) throw err;
        ctx.sink.fail({ file: s.imagePath }, err.reason);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, ctx.opts.concurrency ?? 16) }, worker));
}
