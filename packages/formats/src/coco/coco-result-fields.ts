// One COCO results entry as numbers in a reused object: what the readers hand an evaluator per
// entry instead of an object and a bbox array (millions of entries).
import type { CocoResult } from './coco-results.js';

/** One entry's fields (`bbox` = `[x, y, w, h]`), in one object reused for every entry. */
export class CocoResultFields {
  imageId = 0;
  categoryId = 0;
  x = 0;
  y = 0;
  w = 0;
  h = 0;
  score = 0;

  set(imageId: number, categoryId: number, bbox: readonly number[], score: number): this {
    this.imageId = imageId;
    this.categoryId = categoryId;
    this.x = bbox[0];
    this.y = bbox[1];
    this.w = bbox[2];
    this.h = bbox[3];
    this.score = score;
    return this;
  }
}

/** The entry as the object `scanCocoResults` hands over. */
export function resultOf(f: Readonly<CocoResultFields>): CocoResult {
  return { imageId: f.imageId, categoryId: f.categoryId, bbox: [f.x, f.y, f.w, f.h], score: f.score };
}

