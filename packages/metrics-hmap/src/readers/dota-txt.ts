/**
 * DOTA readers: a `labelTxt/` folder (one `<image>.txt` per image, lines
 * `x1 y1 x2 y2 x3 y3 x4 y4 class [difficult]`, optional `imagesource:` / `gsd:` header lines)
 * and a folder of Task1 results (`Task1_<class>.txt`, lines `image score x1 y1 … x4 y4`).
 * Both through @babelrs/formats (`scanDotaTxt`, `scanTask1Txt`): line by line, rows appended
 * straight into typed arrays, no object or string kept per line.
 *
 * Images are the label files, sorted by name (an empty file is an image without GT). The class
 * list is `classes` if given, else the union of GT class names and Task1 file names (an empty
 * Task1 file still declares its class), sorted by name. Detections keep file line order: the
 * devkit's tie-break. Difficult 1 and 2 (the devkit's splitter, and our tiler, write 2 for an
 * object cut at a tile border) are both difficult, as in the devkit's evaluator.
 */
import path from 'node:path';
import { FormatError, scanDotaTxt, scanTask1Txt, task1ClassName } from '@babelrs/formats';
import { MetricsInputError } from '../errors.js';
import type { EvalDataset } from '../types.js';
import { checkClassList } from './class-list.js';
import { Growable } from './growable.js';
import { listDir } from './read-text.js';

export interface DotaReadOptions {
  classes?: string[];
}

/** Provisional class ids in order of first appearance; remapped to the final list at the end. */
class ClassIds {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  id(name: string): number {
    let k = this.ids.get(name);
    if (k === undefined) {
      k = this.names.length;
      this.ids.set(name, k);
      this.names.push(name);
    }
    return k;
  }
}

/** Reads `labelTxt/` + Task1 folder into a polygon dataset (images without modality). */
export function readDotaDataset(labelDir: string, task1Dir: string, opts: DotaReadOptions = {}): EvalDataset {
  if (opts.classes) checkClassList(opts.classes, 'classes');
  const labelFiles = listDir(labelDir).filter((f) => f.endsWith('.txt'));
  const images = labelFiles.map((f) => ({ name: f.slice(0, -4) }));
  const imageIndex = new Map(images.map((im, i) => [im.name, i]));
  const classIds = new ClassIds();
  for (const c of opts.classes ?? []) classIds.id(c);

  const gBoxes = new Growable(Float64Array, 8);
  const gLabels = new Growable(Int32Array);
  const gImage = new Growable(Int32Array);
  const gDifficult = new Growable(Uint8Array);
  labelFiles.forEach((f, i) => {
    scanDotaTxt(
      path.join(labelDir, f),
      (poly, className, difficult) => {
        const at = gBoxes.pushRow(); // before `.data`: pushRow may replace the buffer
        gBoxes.data.set(poly, at);
        gLabels.push(classIds.id(className));
        gImage.push(i);
        gDifficult.push(difficult === 0 ? 0 : 1);
      },
      { classes: opts.classes },
    );
  });

  const task1Files = listDir(task1Dir).filter((f) => task1ClassName(f) !== undefined);
  if (task1Files.length === 0) throw new MetricsInputError(task1Dir, 'no Task1_<class>.txt files');
  const dBoxes = new Growable(Float64Array, 8);
  const dLabels = new Growable(Int32Array);
  const dImage = new Growable(Int32Array);
  const dScores = new Growable(Float64Array);
  for (const f of task1Files) {
    const file = path.join(task1Dir, f);
    const className = task1ClassName(f)!;
    if (opts.classes && !opts.classes.includes(className)) throw new MetricsInputError(file, `unknown class "${className}" (not in the class list)`);
    const label = classIds.id(className);
    scanTask1Txt(file, (image, score, poly, line) => {
      const im = imageIndex.get(image);
      if (im === undefined) throw new FormatError({ file, line }, `unknown image "${image}" (no label file for it)`);
      const at = dBoxes.pushRow(); // before `.data`: pushRow may replace the buffer
      dBoxes.data.set(poly, at);
      dLabels.push(label);
      dImage.push(im);
      dScores.push(score);
    });
  }

  const classes = opts.classes ? [...opts.classes] : [...classIds.names].sort();
  const remap = Int32Array.from(classIds.names, (n) => classes.indexOf(n));
  const relabel = (labels: Int32Array): Int32Array => labels.map((k) => remap[k]);
  return {
    geometry: 'poly',
    classes,
    images,
    gts: { boxes: gBoxes.finish(), labels: relabel(gLabels.finish()), imageIndex: gImage.finish(), difficult: gDifficult.finish() },
    dets: { boxes: dBoxes.finish(), labels: relabel(dLabels.finish()), imageIndex: dImage.finish(), scores: dScores.finish() },
  };
}
