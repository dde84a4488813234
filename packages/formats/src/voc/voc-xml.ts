/**
 * Pascal-VOC-style XML annotations, with the three object geometries SOI-Det sources use:
 * - `<bndbox><xmin><ymin><xmax><ymax>` — horizontal box (SSDD SAR, HIT-UAV `xml_hbb`);
 * - `<polygon><x1><y1>…<x4><y4>` — four corners (DroneVehicle);
 * - `<robndbox><cx><cy><w><h><angle>` — roLabelImg rotated box, angle in radians in [0, π),
 *   `w` along x at angle 0, positive angle turning +x towards +y (HIT-UAV `xml_obb`).
 * One file may mix them (DroneVehicle has a few `bndbox` objects among its polygons).
 * `<size><width><height>` is required; `<depth>` is read as written.
 *
 * Parsing: `fast-xml-parser` (well-formedness checked by its validator first, since the parser
 * itself accepts mismatched tags), with limits: files above `VOC_MAX_BYTES` (16 MiB) and nesting
 * deeper than `VOC_MAX_DEPTH` (32) are refused — a VOC file is a few KB, 4 levels deep.
 * Numbers follow the strict grammar; one element where one is meant (two `<bndbox>` in one
 * object is an error, not "the first one wins").
 */
import fs from 'node:fs';
import { lazyModule } from '../lazy-module.js';

const fastXmlParser = lazyModule<typeof import('fast-xml-parser')>('fast-xml-parser');
import { FormatError, IssueSink, fsError, type ReadOptions, type SkippedRecord } from '../errors.js';
import { parseDecimal, parseInteger } from '../number-grammar.js';
import { clip } from '../dota/dota-txt.js';
import { readTextFile } from '../text-lines.js';

export const VOC_MAX_BYTES = 16 * 1024 * 1024;
export const VOC_MAX_DEPTH = 32;

export type VocGeometry =
  | { kind: 'bndbox'; xyxy: [number, number, number, number] }
  | { kind: 'polygon'; poly: number[] }
  | { kind: 'robndbox'; cx: number; cy: number; w: number; h: number; angleRad: number };

export interface VocObject {
  name: string;
  difficult: 0 | 1;
  truncated: 0 | 1;
  geometry: VocGeometry;
  /** Line of the `<object>` start tag. */
  line: number;
}

export interface VocAnnotation {
  file: string;
  /** `<filename>` as written (may lack an extension, as in HIT-UAV `xml_obb`). */
  filename?: string;
  /** `<path>` as written (often a Windows path from the annotator's machine; informative only). */
  path?: string;
  width: number;
  height: number;
  depth?: number;
  objects: VocObject[];
  skipped: SkippedRecord[];
  notices: string[];
}

export interface VocReadOptions extends ReadOptions {
  /** When given, an object name outside this list is an error (or skipped when lenient). */
  classes?: readonly string[];
  sink?: IssueSink;
}

type Node = Record<string, unknown>;
const XML_META = (): string => fastXmlParser().XMLParser.getMetaDataSymbol() as unknown as string;

/** Reads a VOC / DroneVehicle / roLabelImg XML annotation file. */
export function readVocXml(file: string, opts: VocReadOptions = {}): VocAnnotation {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (err) {
    throw fsError(file, err);
  }
  if (size > VOC_MAX_BYTES) throw new FormatError({ file }, `XML file is ${size} bytes; a VOC annotation above ${VOC_MAX_BYTES} bytes is refused`);
  return parseVocXml(readTextFile(file), file, opts);
}

/** Parses VOC-style XML text; `file` is used in error messages. */
export function parseVocXml(text: string, file: string, opts: VocReadOptions = {}): VocAnnotation {
  const doc = new VocDoc(text, file);
  const root = doc.root;
  const sink = opts.sink ?? new IssueSink(opts.lenient);
  const skippedBefore = sink.skipped.length;
  const noticesBefore = sink.notices.length;
  const size = doc.element(root, 'size', 'annotation');
  if (!size) throw new FormatError({ file, line: doc.lineOf(root), field: 'annotation/size' }, 'missing <size> element');
  const width = doc.number(size, 'width', 'annotation/size', { positiveInt: true });
  const height = doc.number(size, 'height', 'annotation/size', { positiveInt: true });
  const out: VocAnnotation = { file, width, height, objects: [], skipped: [], notices: [] };
  const depth = doc.text(size, 'depth', 'annotation/size');
  if (depth !== undefined && depth !== '') out.depth = doc.number(size, 'depth', 'annotation/size', { positiveInt: true });
  const filename = doc.text(root, 'filename', 'annotation');
  if (filename) out.filename = filename;
  const p = doc.text(root, 'path', 'annotation');
  if (p) out.path = p;
  const classSet = opts.classes ? new Set(opts.classes) : undefined;
  const objects = root.object === undefined ? [] : (root.object as unknown[]);
  objects.forEach((el, i) => {
    try {
      out.objects.push(readObject(doc, el, i, classSet));
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      sink.fail({ file: err.file, line: err.line, field: err.field }, err.reason);
    }
  });
  out.skipped = sink.skipped.slice(skippedBefore);
  out.notices = sink.notices.slice(noticesBefore);
  return out;
}

/** The parsed document plus helpers that turn "what the XML holds" into FormatErrors. */
class VocDoc {
  readonly root: Node;
  private readonly lineStarts: number[] = [0];

  constructor(
    text: string,
    readonly file: string,
  ) {
    if (text.length > VOC_MAX_BYTES) throw new FormatError({ file }, `XML text is ${text.length} characters; a VOC annotation above ${VOC_MAX_BYTES} is refused`);
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    for (let i = 0; i < body.length; i++) if (body.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    const { XMLParser, XMLValidator } = fastXmlParser();
    const valid = XMLValidator.validate(body);
    if (valid !== true) throw new FormatError({ file, line: valid.err.line }, `invalid XML: ${valid.err.msg}`);
    let parsed: Node;
    try {
      parsed = new XMLParser({
        ignoreAttributes: true,
        parseTagValue: false,
        trimValues: true,
        ignoreDeclaration: true,
        ignorePiTags: true,
        captureMetaData: true,
        maxNestedTags: VOC_MAX_DEPTH,
        isArray: (name, jpath) => name === 'object' && String(jpath) === 'annotation.object',
      }).parse(body) as Node;
    } catch (err) {
      const msg = (err as Error).message ?? String(err);
      throw new FormatError({ file }, /nested/i.test(msg) ? `XML nested deeper than ${VOC_MAX_DEPTH} levels: not a VOC annotation` : `invalid XML: ${msg}`);
    }
    const roots = Object.keys(parsed);
    if (roots.length !== 1) throw new FormatError({ file }, roots.length === 0 ? 'no root element' : `expected one root element <annotation>, got ${roots.map((r) => `<${r}>`).join(', ')}`);
    const root = parsed[roots[0]];
    if (roots[0] !== 'annotation') throw new FormatError({ file, line: 1 }, `expected root element <annotation>, got <${roots[0]}>`);
    if (Array.isArray(root)) throw new FormatError({ file }, `${root.length} root <annotation> elements, expected one`);
    // `<annotation></annotation>` parses to '' (no children): the missing <size> is reported next.
    if (!isNode(root) && root !== '') throw new FormatError({ file, line: 1, field: 'annotation' }, '<annotation> holds text, expected <size> and <object> elements');
    this.root = isNode(root) ? root : {};
  }

  lineOf(node: unknown): number | undefined {
    const start = isNode(node) ? (node[XML_META()] as { startIndex?: number } | undefined)?.startIndex : undefined;
    if (start === undefined) return undefined;
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= start) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** The single child element `name` (with children), or undefined. */
  element(parent: Node, name: string, field: string): Node | undefined {
    const v = this.single(parent, name, field);
    if (v === undefined) return undefined;
    if (!isNode(v)) throw new FormatError({ file: this.file, line: this.lineOf(parent), field: `${field}/${name}` }, `<${name}> has no child elements, got text "${clip(String(v))}"`);
    return v;
  }

  /** The trimmed text of the single leaf child `name`, or undefined. */
  text(parent: Node, name: string, field: string): string | undefined {
    const v = this.single(parent, name, field);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new FormatError({ file: this.file, line: this.lineOf(v) ?? this.lineOf(parent), field: `${field}/${name}` }, `<${name}> must hold text, not elements`);
    return v.trim();
  }

  number(parent: Node, name: string, field: string, opts: { positiveInt?: boolean } = {}): number {
    const t = this.text(parent, name, field);
    const where = { file: this.file, line: this.lineOf(parent), field: `${field}/${name}` };
    if (t === undefined) throw new FormatError(where, `missing <${name}>`);
    if (opts.positiveInt) {
      const v = parseInteger(t);
      if (!Number.isFinite(v) || v <= 0) throw new FormatError(where, `expected a positive integer, got "${clip(t)}"`);
      return v;
    }
    const v = parseDecimal(t);
    if (!Number.isFinite(v)) throw new FormatError(where, `expected a number, got "${clip(t)}"`);
    return v;
  }

  private single(parent: Node, name: string, field: string): unknown {
    if (!Object.hasOwn(parent, name)) return undefined;
    const v = parent[name];
    if (Array.isArray(v)) throw new FormatError({ file: this.file, line: this.lineOf(parent), field: `${field}/${name}` }, `more than one <${name}> element`);
    return v;
  }
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readObject(doc: VocDoc, el: unknown, index: number, classSet: Set<string> | undefined): VocObject {
  const field = `annotation/object[${index}]`;
  if (!isNode(el)) throw new FormatError({ file: doc.file, field }, 'empty <object>: expected <name> and a geometry');
  const line = doc.lineOf(el) ?? 0;
  const name = doc.text(el, 'name', field);
  if (!name) throw new FormatError({ file: doc.file, line, field: `${field}/name` }, 'missing or empty <name>');
  if (classSet && !classSet.has(name)) {
    throw new FormatError({ file: doc.file, line, field: `${field}/name` }, `unknown class "${clip(name)}" (expected one of: ${[...classSet].join(', ')})`);
  }
  const difficult = readFlag(doc, el, 'difficult', field, line);
  const truncated = readFlag(doc, el, 'truncated', field, line);
  return { name, difficult, truncated, geometry: readGeometry(doc, el, field, line), line };
}

function readGeometry(doc: VocDoc, el: Node, field: string, line: number): VocGeometry {
  const bnd = doc.element(el, 'bndbox', field);
  const poly = doc.element(el, 'polygon', field);
  const rob = doc.element(el, 'robndbox', field);
  const present = [bnd, poly, rob].filter(Boolean).length;
  if (present === 0) throw new FormatError({ file: doc.file, line, field }, 'object has no <bndbox>, <polygon> or <robndbox>');
  if (present > 1) throw new FormatError({ file: doc.file, line, field }, 'object has more than one of <bndbox>, <polygon>, <robndbox>');
  if (bnd) {
    const f = `${field}/bndbox`;
    const [x1, y1, x2, y2] = ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => doc.number(bnd, k, f));
    if (x2 < x1 || y2 < y1) throw new FormatError({ file: doc.file, line: doc.lineOf(bnd), field: f }, `expected xmin ≤ xmax and ymin ≤ ymax, got (${x1}, ${y1}, ${x2}, ${y2})`);
    return { kind: 'bndbox', xyxy: [x1, y1, x2, y2] };
  }
  if (poly) return { kind: 'polygon', poly: readPolygon(doc, poly, `${field}/polygon`) };
  const f = `${field}/robndbox`;
  const [cx, cy, w, h, angleRad] = ['cx', 'cy', 'w', 'h', 'angle'].map((k) => doc.number(rob!, k, f));
  if (w < 0 || h < 0) throw new FormatError({ file: doc.file, line: doc.lineOf(rob), field: f }, `w and h must be ≥ 0, got w=${w}, h=${h}`);
  return { kind: 'robndbox', cx, cy, w, h, angleRad };
}

/** DroneVehicle corners `<x1><y1>…<x4><y4>`; names how many points a short polygon has. */
function readPolygon(doc: VocDoc, el: Node, field: string): number[] {
  const points = [1, 2, 3, 4, 5, 6, 7, 8].filter((k) => Object.hasOwn(el, `x${k}`) || Object.hasOwn(el, `y${k}`)).length;
  if (points !== 4) throw new FormatError({ file: doc.file, line: doc.lineOf(el), field }, `polygon has ${points} points, expected 4 (<x1><y1> … <x4><y4>)`);
  const out: number[] = [];
  for (let k = 1; k <= 4; k++) out.push(doc.number(el, `x${k}`, field), doc.number(el, `y${k}`, field));
  return out;
}

function readFlag(doc: VocDoc, el: Node, name: string, field: string, line: number): 0 | 1 {
  const t = doc.text(el, name, field);
  if (!t) return 0;
  if (t !== '0' && t !== '1') throw new FormatError({ file: doc.file, line, field: `${field}/${name}` }, `expected 0 or 1, got "${clip(t)}"`);
  return t === '1' ? 1 : 0;
}
