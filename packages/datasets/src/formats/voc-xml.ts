/**
 * Pascal-VOC-style XML annotations, with the three object geometries SOI-Det sources use:
 * - `<bndbox><xmin><ymin><xmax><ymax>` — horizontal box (SSDD SAR, HIT-UAV `xml_hbb`);
 * - `<polygon><x1><y1>…<x4><y4>` — four corners (DroneVehicle);
 * - `<robndbox><cx><cy><w><h><angle>` — roLabelImg rotated box, angle in radians in [0, π),
 *   `w` along x at angle 0, positive angle turning +x towards +y (HIT-UAV `xml_obb`).
 * One file may mix them (DroneVehicle has a few `bndbox` objects among its polygons).
 * `<size><width><height>` is required; `<depth>` is read as written (SSDD says 1 for JPEGs
 * that decode to 3 equal channels: trust the decoder, not this field).
 */
import fs from 'node:fs';
import { DatasetError, IssueSink, type ReadOptions, type SkippedRecord } from '../errors.js';
import { parseDecimal } from './parse-number.js';
import { parseXml, xmlChild, xmlChildren, type XmlElement } from './xml.js';

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

/** Reads a VOC / DroneVehicle / roLabelImg XML annotation file. */
export function readVocXml(file: string, opts: VocReadOptions = {}): VocAnnotation {
  return parseVocXml(fs.readFileSync(file, 'utf8'), file, opts);
}

/** Parses VOC-style XML text; `file` is used in error messages. */
export function parseVocXml(text: string, file: string, opts: VocReadOptions = {}): VocAnnotation {
  const root = parseXml(text, file);
  if (root.name !== 'annotation') throw new DatasetError({ file, line: root.line }, `expected root element <annotation>, got <${root.name}>`);
  const sink = opts.sink ?? new IssueSink(opts.lenient);
  const skippedBefore = sink.skipped.length;
  const noticesBefore = sink.notices.length;
  const size = xmlChild(root, 'size');
  if (!size) throw new DatasetError({ file, line: root.line, field: 'annotation/size' }, 'missing <size> element');
  const width = requireNumber(size, 'width', file, 'annotation/size', { positiveInt: true });
  const height = requireNumber(size, 'height', file, 'annotation/size', { positiveInt: true });
  const depthEl = xmlChild(size, 'depth');
  const out: VocAnnotation = { file, width, height, objects: [], skipped: [], notices: [] };
  if (depthEl && depthEl.text.trim() !== '') out.depth = requireNumber(size, 'depth', file, 'annotation/size', { positiveInt: true });
  const filename = xmlChild(root, 'filename')?.text.trim();
  if (filename) out.filename = filename;
  const p = xmlChild(root, 'path')?.text.trim();
  if (p) out.path = p;
  const classSet = opts.classes ? new Set(opts.classes) : undefined;
  xmlChildren(root, 'object').forEach((el, i) => {
    try {
      out.objects.push(readObject(el, i, file, classSet));
    } catch (err) {
      if (!(err instanceof DatasetError)) throw err;
      sink.fail({ file: err.file, line: err.line, field: err.field }, err.reason);
    }
  });
  out.skipped = sink.skipped.slice(skippedBefore);
  out.notices = sink.notices.slice(noticesBefore);
  return out;
}

function readObject(el: XmlElement, index: number, file: string, classSet: Set<string> | undefined): VocObject {
  const field = `annotation/object[${index}]`;
  const name = xmlChild(el, 'name')?.text.trim();
  if (!name) throw new DatasetError({ file, line: el.line, field: `${field}/name` }, 'missing or empty <name>');
  if (classSet && !classSet.has(name)) {
    throw new DatasetError({ file, line: el.line, field: `${field}/name` }, `unknown class "${name}" (expected one of: ${[...classSet].join(', ')})`);
  }
  const difficult = readFlag(el, 'difficult', file, field);
  const truncated = readFlag(el, 'truncated', file, field);
  return { name, difficult, truncated, geometry: readGeometry(el, file, field), line: el.line };
}

function readGeometry(el: XmlElement, file: string, field: string): VocGeometry {
  const bnd = xmlChild(el, 'bndbox');
  const poly = xmlChild(el, 'polygon');
  const rob = xmlChild(el, 'robndbox');
  const present = [bnd, poly, rob].filter(Boolean).length;
  if (present === 0) throw new DatasetError({ file, line: el.line, field }, 'object has no <bndbox>, <polygon> or <robndbox>');
  if (present > 1) throw new DatasetError({ file, line: el.line, field }, 'object has more than one of <bndbox>, <polygon>, <robndbox>');
  if (bnd) {
    const f = `${field}/bndbox`;
    const [x1, y1, x2, y2] = ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => requireNumber(bnd, k, file, f));
    if (x2 < x1 || y2 < y1) throw new DatasetError({ file, line: bnd.line, field: f }, `expected xmin ≤ xmax and ymin ≤ ymax, got (${x1}, ${y1}, ${x2}, ${y2})`);
    return { kind: 'bndbox', xyxy: [x1, y1, x2, y2] };
  }
  if (poly) return { kind: 'polygon', poly: readPolygon(poly, file, `${field}/polygon`) };
  const f = `${field}/robndbox`;
  const [cx, cy, w, h, angleRad] = ['cx', 'cy', 'w', 'h', 'angle'].map((k) => requireNumber(rob!, k, file, f));
  if (w < 0 || h < 0) throw new DatasetError({ file, line: rob!.line, field: f }, `w and h must be ≥ 0, got w=${w}, h=${h}`);
  return { kind: 'robndbox', cx, cy, w, h, angleRad };
}

/** DroneVehicle corners `<x1><y1>…<x4><y4>`; names how many points a short polygon has. */
function readPolygon(el: XmlElement, file: string, field: string): number[] {
  const points = [1, 2, 3, 4, 5, 6, 7, 8].filter((k) => xmlChild(el, `x${k}`) || xmlChild(el, `y${k}`)).length;
  if (points !== 4) throw new DatasetError({ file, line: el.line, field }, `polygon has ${points} points, expected 4 (<x1><y1> … <x4><y4>)`);
  const out: number[] = [];
  for (let k = 1; k <= 4; k++) out.push(requireNumber(el, `x${k}`, file, field), requireNumber(el, `y${k}`, file, field));
  return out;
}

function readFlag(el: XmlElement, name: string, file: string, field: string): 0 | 1 {
  const child = xmlChild(el, name);
  const t = child?.text.trim();
  if (!t) return 0;
  if (t !== '0' && t !== '1') throw new DatasetError({ file, line: child!.line, field: `${field}/${name}` }, `expected 0 or 1, got "${t}"`);
  return t === '1' ? 1 : 0;
}

function requireNumber(parent: XmlElement, name: string, file: string, field: string, opts: { positiveInt?: boolean } = {}): number {
  const child = xmlChild(parent, name);
  if (!child) throw new DatasetError({ file, line: parent.line, field: `${field}/${name}` }, `missing <${name}>`);
  const t = child.text.trim();
  const v = parseDecimal(t);
  if (!Number.isFinite(v)) throw new DatasetError({ file, line: child.line, field: `${field}/${name}` }, `expected a number, got "${t}"`);
  if (opts.positiveInt && (!Number.isInteger(v) || v <= 0)) {
    throw new DatasetError({ file, line: child.line, field: `${field}/${name}` }, `expected a positive integer, got "${t}"`);
  }
  return v;
}
