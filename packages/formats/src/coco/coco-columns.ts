/**
 * COCO instances JSON as columns: the images and categories as objects, the annotations as
 * typed arrays (what an evaluator needs for hundreds of thousands of boxes, without an object
 * and an array per box).
 *
 * A file of the usual shape is read straight from its bytes (`readPlainCocoColumns`): the three
 * arrays parsed in place, other keys and values skipped (and checked to be JSON), every entry
 * checked as the zod schemas and `readCocoJson` check it. At the first thing that is not
 * plainly valid — an escape in a name, an invalid or duplicate entry, a reference that does not
 * resolve, a COCO-like variant, bad JSON — the fast path gives up and the whole file is read by
 * `readCocoJson`, whose values, notices and error messages are therefore the ones you get
 * (a test compares both paths on valid files and on broken ones).
 */
import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { fsError } from '../errors.js';
import { readCocoJson, type CocoCategory, type CocoDataset, type CocoImage, type CocoReadOptions } from './coco-json.js';
import { jsonNumber, readJsonNumber } from './json-number.js';
import { DEFAULT_STREAM_OBJECT_ABOVE_BYTES } from './json-visit.js';

export interface CocoAnnotationColumns {
  count: number;
  id: Float64Array;
  imageId: Float64Array;
  categoryId: Float64Array;
  /** count×4 `[x, y, w, h]`. */
  bbox: Float64Array;
  /** The `area` field, or w·h where it is absent. */
  area: Float64Array;
  iscrowd: Uint8Array;
  /** `ignore` (0 where absent). */
  ignore: Uint8Array;
}

export interface CocoColumns extends Omit<CocoDataset, 'annotations'> {
  annotations: CocoAnnotationColumns;
}

/** Reads a COCO instances file into columns (same checks, values and errors as `readCocoJson`). */
export function readCocoJsonColumns(file: string, opts: CocoReadOptions = {}): CocoColumns {
  return readPlainCocoColumns(file, opts) ?? toColumns(readCocoJson(file, opts));
}

/** The annotations of a `readCocoJson` result as columns. */
export function toColumns(coco: CocoDataset): CocoColumns {
  const anns = coco.annotations;
  const cols = emptyColumns(anns.length);
  anns.forEach((a, i) => {
    cols.id[i] = a.id;
    cols.imageId[i] = a.imageId;
    cols.categoryId[i] = a.categoryId;
    cols.bbox.set(a.bbox, 4 * i);
    cols.area[i] = a.area;
    cols.iscrowd[i] = a.iscrowd;
    cols.ignore[i] = a.ignore ?? 0;
  });
  cols.count = anns.length;
  return { ...coco, annotations: cols };
}

function emptyColumns(n: number): CocoAnnotationColumns {
  return {
    count: 0,
    id: new Float64Array(n),
    imageId: new Float64Array(n),
    categoryId: new Float64Array(n),
    bbox: new Float64Array(4 * n),
    area: new Float64Array(n),
    iscrowd: new Uint8Array(n),
    ignore: new Uint8Array(n),
  };
}

/** Thrown (one shared object) where the fast path gives up. */
const GIVE_UP = { giveUp: true };

/**
 * The byte-level path; undefined where it gives up (then `readCocoJson` reads the file).
 * Also undefined for files `readCocoJson` would stream (at least `streamAboveBytes`).
 */
export function readPlainCocoColumns(file: string, opts: CocoReadOptions = {}): CocoColumns | undefined {
  let buf: Buffer;
  try {
    const size = fs.statSync(file).size;
    if (size >= (opts.streamAboveBytes ?? DEFAULT_STREAM_OBJECT_ABOVE_BYTES)) return undefined;
    buf = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
    throw fsError(file, err);
  }
  // Invalid UTF-8 anywhere is an error of the general path (which names it).
  if (!isUtf8(buf)) return undefined;
  try {
    return new PlainCocoReader(buf, file, opts.imageSize !== 'optional').read();
  } catch (err) {
    if (err === GIVE_UP) return undefined;
    throw err;
  }
}

const enc = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const K = {
  images: enc('images'),
  categories: enc('categories'),
  annotations: enc('annotations'),
  annotation: enc('annotation'),
  id: enc('id'),
  fileName: enc('file_name'),
  filename: enc('filename'),
  width: enc('width'),
  height: enc('height'),
  name: enc('name'),
  supercategory: enc('supercategory'),
  imageId: enc('image_id'),
  categoryId: enc('category_id'),
  bbox: enc('bbox'),
  area: enc('area'),
  iscrowd: enc('iscrowd'),
  ignore: enc('ignore'),
};
const TRUE = enc('true');
const FALSE = enc('false');
const NULL = enc('null');

class PlainCocoReader {
  private p = 0;
  /** Content of the string `str` read last: `[strStart, strEnd)`. */
  private strStart = 0;
  private strEnd = 0;
  private readonly images: CocoImage[] = [];
  private readonly categories: CocoCategory[] = [];
  private cols = emptyColumns(1024);

  constructor(
    private readonly b: Buffer,
    private readonly file: string,
    private readonly sizeRequired: boolean,
  ) {}

  read(): CocoColumns {
    const b = this.b;
    if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.p = 3;
    this.ws();
    this.expect(0x7b);
    let seen = 0;
    if (this.peek() === 0x7d) this.p++;
    else {
      for (;;) {
        this.key();
        const s = this.strStart;
        const e = this.strEnd;
        let which = -1;
        if (this.is(s, e, K.images)) which = 0;
        else if (this.is(s, e, K.categories)) which = 1;
        else if (this.is(s, e, K.annotations)) which = 2;
        else if (this.is(s, e, K.annotation)) throw GIVE_UP; // HIT-UAV variant: notice on the general path
        if (which >= 0) {
          if (seen & (1 << which)) throw GIVE_UP;
          seen |= 1 << which;
          this.array(which);
        } else this.skipValue();
        if (this.next(0x7d)) break;
      }
    }
    this.ws();
    if (this.p !== b.length || seen !== 7) throw GIVE_UP;
    this.checkReferences();
    const n = this.cols.count;
    const c = this.cols;
    const annotations: CocoAnnotationColumns = {
      count: n,
      id: c.id.slice(0, n),
      imageId: c.imageId.slice(0, n),
      categoryId: c.categoryId.slice(0, n),
      bbox: c.bbox.slice(0, 4 * n),
      area: c.area.slice(0, n),
      iscrowd: c.iscrowd.slice(0, n),
      ignore: c.ignore.slice(0, n),
    };
    return {
      file: this.file,
      images: this.images,
      categories: this.categories,
      annotations,
      variant: { annotationsKey: 'annotations', fileNameKey: 'file_name', zeroBasedCategoryIds: false },
      skipped: [],
      notices: [],
    };
  }

  /** Unique ids and names, and every annotation's image and category exist. */
  private checkReferences(): void {
    const imageIds = new Set<number>();
    for (const im of this.images) {
      if (imageIds.has(im.id)) throw GIVE_UP;
      imageIds.add(im.id);
    }
    const categoryIds = new Set<number>();
    const names = new Set<string>();
    for (const c of this.categories) {
      // id 0: the variant's 0-based ids, which the general path reports as a notice
      if (c.id === 0 || categoryIds.has(c.id) || names.has(c.name)) throw GIVE_UP;
      categoryIds.add(c.id);
      names.add(c.name);
    }
    const { count, id, imageId, categoryId } = this.cols;
    for (let i = 0; i < count; i++) if (!imageIds.has(imageId[i]) || !categoryIds.has(categoryId[i])) throw GIVE_UP;
    const ids = id.slice(0, count).sort();
    for (let i = 1; i < count; i++) if (ids[i] === ids[i - 1]) throw GIVE_UP;
  }

  private array(which: number): void {
    this.ws();
    this.expect(0x5b);
    if (this.peek() === 0x5d) {
      this.p++;
      return;
    }
    for (;;) {
      this.ws();
      if (which === 0) this.image();
      else if (which === 1) this.category();
      else if (!this.compactAnnotation()) this.annotation();
      if (this.next(0x5d)) return;
    }
  }

  private image(): void {
    this.expect(0x7b);
    let id = Number.NaN;
    let fileName: string | undefined;
    let width: number | undefined;
    let height: number | undefined;
    this.fields((s, e) => {
      if (this.is(s, e, K.id)) id = this.once(id, this.number());
      else if (this.is(s, e, K.fileName)) {
        if (fileName !== undefined) throw GIVE_UP;
        fileName = this.plainString();
      } else if (this.is(s, e, K.width)) width = this.onceOptional(width, this.number());
      else if (this.is(s, e, K.height)) height = this.onceOptional(height, this.number());
      else if (this.is(s, e, K.filename)) throw GIVE_UP; // the variant's spelling
      else this.skipValue();
    });
    if (!Number.isSafeInteger(id) || !fileName) throw GIVE_UP;
    if (!validSize(width, this.sizeRequired) || !validSize(height, this.sizeRequired)) throw GIVE_UP;
    this.images.push({ id, fileName, width: width ?? 0, height: height ?? 0 });
  }

  private category(): void {
    this.expect(0x7b);
    let id = Number.NaN;
    let name: string | undefined;
    let supercategory: string | undefined;
    let superSeen = false;
    this.fields((s, e) => {
      if (this.is(s, e, K.id)) id = this.once(id, this.number());
      else if (this.is(s, e, K.name)) {
        if (name !== undefined) throw GIVE_UP;
        name = this.plainString();
      } else if (this.is(s, e, K.supercategory)) {
        if (superSeen) throw GIVE_UP;
        superSeen = true;
        if (this.peek() === 0x22) supercategory = this.plainString();
        else this.skipValue();
      } else this.skipValue();
    });
    if (!Number.isSafeInteger(id) || !name) throw GIVE_UP;
    this.categories.push({ id, name, ...(supercategory !== undefined ? { supercategory } : {}) });
  }

  private annotation(): void {
    this.expect(0x7b);
    const c = this.grow();
    const i = c.count;
    let seen = 0;
    let area = -1;
    // The members inline (no closure per annotation: there are hundreds of thousands).
    if (this.peek() === 0x7d) throw GIVE_UP; // {} lacks the required fields
    for (;;) {
      this.key();
      const bit = this.annotationKey(this.strStart, this.strEnd);
      if (seen & bit) throw GIVE_UP;
      seen |= bit;
      if (bit === 1) c.id[i] = this.number();
      else if (bit === 2) c.imageId[i] = this.number();
      else if (bit === 4) c.categoryId[i] = this.number();
      else if (bit === 8) this.bbox(c.bbox, 4 * i);
      else if (bit === 16) area = this.number();
      else if (bit === 32) c.iscrowd[i] = flag(this.number());
      else if (bit === 64) c.ignore[i] = flag(this.number());
      else this.skipValue();
      if (this.next(0x7d)) break;
    }
    if ((seen & 15) !== 15) throw GIVE_UP;
    if (!Number.isSafeInteger(c.id[i]) || !Number.isSafeInteger(c.imageId[i]) || !Number.isSafeInteger(c.categoryId[i])) throw GIVE_UP;
    if (!(seen & 32)) c.iscrowd[i] = 0;
    if (!(seen & 64)) c.ignore[i] = 0;
    if (seen & 16) {
      if (!(area >= 0 && area < Infinity)) throw GIVE_UP;
      c.area[i] = area;
    } else c.area[i] = c.bbox[4 * i + 2] * c.bbox[4 * i + 3];
    c.count++;
  }

  /**
   * The spelling writers use — no whitespace, numbers only, keys among the schema's — read with
   * local variables (the hot loop of a big GT file). False, with nothing consumed, for anything
   * else: `annotation` then reads the entry (or gives up) from the same place.
   */
  private compactAnnotation(): boolean {
    const b = this.b;
    const end = b.length;
    let p = this.p;
    if (b[p] !== 0x7b || b[p + 1] === 0x7d) return false;
    p++;
    const c = this.grow();
    const i = c.count;
    let seen = 0;
    let area = -1;
    for (;;) {
      if (b[p] !== 0x22) return false;
      const ks = ++p;
      while (p < end && b[p] !== 0x22) p++;
      const bit = this.annotationKey(ks, p);
      if (bit === 0 || seen & bit) return false;
      seen |= bit;
      if (b[++p] !== 0x3a) return false;
      p++;
      if (bit === 8) {
        if (b[p] !== 0x5b) return false;
        p++;
        for (let k = 0; k < 4; k++) {
          p = readJsonNumber(b, p, end);
          if (p < 0) return false;
          const v = jsonNumber.value;
          if (!Number.isFinite(v) || (k >= 2 && !(v >= 0))) return false;
          c.bbox[4 * i + k] = v;
          if (b[p] !== (k === 3 ? 0x5d : 0x2c)) return false;
          p++;
        }
      } else {
        p = readJsonNumber(b, p, end);
        if (p < 0) return false;
        const v = jsonNumber.value;
        if (bit === 1) c.id[i] = v;
        else if (bit === 2) c.imageId[i] = v;
        else if (bit === 4) c.categoryId[i] = v;
        else if (bit === 16) area = v;
        else if (v !== 0 && v !== 1) return false;
        else if (bit === 32) c.iscrowd[i] = v;
        else c.ignore[i] = v;
      }
      if (b[p] === 0x2c) p++;
      else if (b[p] === 0x7d) break;
      else return false;
    }
    if ((seen & 15) !== 15) return false;
    if (!Number.isSafeInteger(c.id[i]) || !Number.isSafeInteger(c.imageId[i]) || !Number.isSafeInteger(c.categoryId[i])) return false;
    if (!(seen & 32)) c.iscrowd[i] = 0;
    if (!(seen & 64)) c.ignore[i] = 0;
    if (seen & 16) {
      if (!(area >= 0 && area < Infinity)) return false;
      c.area[i] = area;
    } else c.area[i] = c.bbox[4 * i + 2] * c.bbox[4 * i + 3];
    c.count++;
    this.p = p + 1;
    return true;
  }

  /** The bit of an annotation member name (0 for a member the schema does not read). */
  private annotationKey(s: number, e: number): number {
    switch (e - s) {
      case 2:
        return this.is(s, e, K.id) ? 1 : 0;
      case 8:
        return this.is(s, e, K.imageId) ? 2 : 0;
      case 11:
        return this.is(s, e, K.categoryId) ? 4 : 0;
      case 4:
        return this.is(s, e, K.bbox) ? 8 : this.is(s, e, K.area) ? 16 : 0;
      case 7:
        return this.is(s, e, K.iscrowd) ? 32 : 0;
      case 6:
        return this.is(s, e, K.ignore) ? 64 : 0;
      default:
        return 0;
    }
  }

  private bbox(out: Float64Array, at: number): void {
    this.expect(0x5b);
    for (let k = 0; k < 4; k++) {
      this.ws();
      const v = this.number();
      if (!Number.isFinite(v) || (k >= 2 && !(v >= 0))) throw GIVE_UP;
      out[at + k] = v;
      this.ws();
      this.expect(k === 3 ? 0x5d : 0x2c);
    }
  }

  /** Room for one more annotation. */
  private grow(): CocoAnnotationColumns {
    const c = this.cols;
    if (c.count < c.id.length) return c;
    const g = emptyColumns(2 * c.id.length);
    g.id.set(c.id);
    g.imageId.set(c.imageId);
    g.categoryId.set(c.categoryId);
    g.bbox.set(c.bbox);
    g.area.set(c.area);
    g.iscrowd.set(c.iscrowd);
    g.ignore.set(c.ignore);
    g.count = c.count;
    this.cols = g;
    return g;
  }

  /** Members of an object whose `{` was read: `onKey(keyStart, keyEnd)` reads the value. */
  private fields(onKey: (s: number, e: number) => void): void {
    if (this.peek() === 0x7d) {
      this.p++;
      return;
    }
    for (;;) {
      this.key();
      onKey(this.strStart, this.strEnd);
      if (this.next(0x7d)) return;
    }
  }

  /** A member name (no escapes) and its colon; the value follows. */
  private key(): void {
    this.ws();
    this.plainStringSpan();
    this.ws();
    this.expect(0x3a);
    this.ws();
  }

  /** After a value: `,` (false) or the closing byte (true). */
  private next(close: number): boolean {
    this.ws();
    const c = this.b[this.p++];
    if (c === 0x2c) return false;
    if (c === close) return true;
    throw GIVE_UP;
  }

  private once(prev: number, v: number): number {
    if (!Number.isNaN(prev)) throw GIVE_UP;
    return v;
  }

  private onceOptional(prev: number | undefined, v: number): number {
    if (prev !== undefined) throw GIVE_UP;
    return v;
  }

  private number(): number {
    const q = readJsonNumber(this.b, this.p, this.b.length);
    if (q < 0) throw GIVE_UP;
    this.p = q;
    return jsonNumber.value;
  }

  /** A string without escapes, decoded. */
  private plainString(): string {
    this.plainStringSpan();
    return this.b.toString('utf8', this.strStart, this.strEnd);
  }

  private plainStringSpan(): void {
    const b = this.b;
    if (b[this.p] !== 0x22) throw GIVE_UP;
    const s = ++this.p;
    let p = s;
    while (p < b.length && b[p] !== 0x22) {
      if (b[p] === 0x5c || b[p] < 0x20) throw GIVE_UP;
      p++;
    }
    if (p >= b.length) throw GIVE_UP;
    this.strStart = s;
    this.strEnd = p;
    this.p = p + 1;
  }

  /** Skips any JSON value, giving up where it is not valid JSON. */
  private skipValue(): void {
    const b = this.b;
    const c = b[this.p];
    if (c === 0x22) this.skipString();
    else if (c === 0x7b) {
      this.p++;
      this.ws();
      if (b[this.p] === 0x7d) {
        this.p++;
        return;
      }
      for (;;) {
        this.ws();
        this.skipString();
        this.ws();
        this.expect(0x3a);
        this.ws();
        this.skipValue();
        if (this.next(0x7d)) return;
      }
    } else if (c === 0x5b) {
      this.p++;
      this.ws();
      if (b[this.p] === 0x5d) {
        this.p++;
        return;
      }
      for (;;) {
        this.ws();
        this.skipValue();
        if (this.next(0x5d)) return;
      }
    } else if (c === 0x74) this.literal(TRUE);
    else if (c === 0x66) this.literal(FALSE);
    else if (c === 0x6e) this.literal(NULL);
    else this.number();
  }

  private skipString(): void {
    const b = this.b;
    if (b[this.p] !== 0x22) throw GIVE_UP;
    let p = this.p + 1;
    for (;;) {
      if (p >= b.length) throw GIVE_UP;
      const c = b[p];
      if (c === 0x22) break;
      if (c < 0x20) throw GIVE_UP;
      if (c === 0x5c) {
        const e = b[p + 1];
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) if (!isHex(b[p + k])) throw GIVE_UP;
          p += 6;
          continue;
        }
        // \" \\ \/ \b \f \n \r \t
        if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) throw GIVE_UP;
        p += 2;
        continue;
      }
      p++;
    }
    this.p = p + 1;
  }

  private literal(word: Uint8Array): void {
    for (let k = 0; k < word.length; k++) if (this.b[this.p + k] !== word[k]) throw GIVE_UP;
    this.p += word.length;
  }

  private is(s: number, e: number, key: Uint8Array): boolean {
    if (e - s !== key.length) return false;
    const b = this.b;
    for (let k = 0; k < key.length; k++) if (b[s + k] !== key[k]) return false;
    return true;
  }

  private expect(c: number): void {
    if (this.b[this.p] !== c) throw GIVE_UP;
    this.p++;
  }

  private peek(): number {
    this.ws();
    return this.b[this.p];
  }

  private ws(): void {
    const b = this.b;
    let p = this.p;
    while (p < b.length) {
      const c = b[p];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.p = p;
  }
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** 0 or 1, else give up (the schema's message comes from the general path). */
function flag(v: number): number {
  if (v === 0 || v === 1) return v;
  throw GIVE_UP;
}

/** `images[].width/height`: a positive safe integer, or absent where that is allowed. */
function validSize(v: number | undefined, required: boolean): boolean {
  if (v === undefined) return !required;
  return Number.isSafeInteger(v) && v > 0;
}
