// Fuzz of the @babelrs/formats readers (DOTA labelTxt, DOTA Task1, COCO GT parsed and streamed,
// COCO results, VOC XML): see harness.ts for the rules and the outcome table.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FormatError,
  readCocoJson,
  readCocoResults,
  readDotaTxt,
  readVocXml,
  scanTask1Txt,
  type CocoDataset,
  type CocoResult,
  type DotaLabelFile,
  type VocAnnotation,
} from '@babelrs/formats';
import { allFinite, dropField, EOL_OPS, fuzzTarget, report, SPACING_OPS, type FuzzTarget, type Tally, type TextOp } from './harness.js';

const FIX = (p: string): Uint8Array => fs.readFileSync(fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url)));
const PKG_FIX = (p: string): Uint8Array => fs.readFileSync(fileURLToPath(new URL(`../../packages/formats/fixtures/${p}`, import.meta.url)));
const isFormatError = (e: unknown): e is Error => e instanceof FormatError;
const tallies: Tally[] = [];
afterAll(() => report(tallies));

const dota: FuzzTarget<DotaLabelFile> = {
  name: 'DOTA txt',
  ext: '.txt',
  bases: [
    FIX('samples/dota/labelTxt/P1888.txt'),
    Buffer.from('gsd:null\n0 0 10 0 10 10 0 10 ship 2\n1.5 2.5 30 2 30 40 1 40 small-vehicle 1\n-3 4 5 6 7 8 9 10 plane\n'),
    PKG_FIX('dota-no-difficult.txt'),
  ],
  read: (f) => readDotaTxt(f),
  normalize: (r) => ({ imageSource: r.imageSource, gsd: r.gsd, objects: r.objects.map((o) => [o.poly, o.className, o.difficult]) }),
  invariant: (r) => {
    for (const o of r.objects) {
      if (o.poly.length !== 8 || !allFinite(o.poly)) return `non-finite polygon ${o.poly}`;
      if (![0, 1, 2].includes(o.difficult)) return `difficult ${o.difficult}`;
      if (o.className === '' || /\s/.test(o.className)) return `class "${o.className}"`;
    }
    if (r.gsd !== undefined && r.gsd !== null && !Number.isFinite(r.gsd)) return `gsd ${r.gsd}`;
    return undefined;
  },
  benign: [...EOL_OPS, ...SPACING_OPS],
  harmful: [dropField],
  isOurError: isFormatError,
};

const task1: FuzzTarget<[string, number, number[]][]> = {
  name: 'DOTA Task1 results',
  ext: '.txt',
  bases: [FIX('metrics-cases/std/obb_dota_voc07/dets/Task1_plane.txt'), FIX('metrics-cases/std/obb_dota_voc07/dets/Task1_helicopter.txt')],
  read: (f) => {
    const rows: [string, number, number[]][] = [];
    scanTask1Txt(f, (image, score, poly) => rows.push([image, score, Array.from(poly)]));
    return rows;
  },
  normalize: (r) => r,
  invariant: (r) => r.map(([image, score, poly]) => (image === '' || /\s/.test(image) ? `image "${image}"` : !Number.isFinite(score) || !allFinite(poly) ? 'non-finite number' : undefined)).find(Boolean),
  benign: [...EOL_OPS, ...SPACING_OPS],
  harmful: [dropField],
  isOurError: isFormatError,
};

/** COCO invariants of an accepted file: the zod rules plus references and uniqueness. */
function cocoInvariant(r: CocoDataset): string | undefined {
  const ids = new Set<number>();
  const images = new Set(r.images.map((i) => i.id));
  const cats = new Set(r.categories.map((c) => c.id));
  if (new Set(r.categories.map((c) => c.name)).size !== r.categories.length || r.categories.some((c) => c.name === '')) return 'category names not unique / empty';
  for (const a of r.annotations) {
    if (![a.id, a.imageId, a.categoryId].every(Number.isSafeInteger)) return `id not a safe integer (${a.id})`;
    if (ids.has(a.id)) return `duplicate id ${a.id}`;
    ids.add(a.id);
    if (!images.has(a.imageId) || !cats.has(a.categoryId)) return 'unresolved reference';
    if (!allFinite(a.bbox) || a.bbox[2] < 0 || a.bbox[3] < 0) return `bbox ${a.bbox}`;
    if (!(a.area >= 0) || !Number.isFinite(a.area)) return `area ${a.area}`;
    if (a.iscrowd !== 0 && a.iscrowd !== 1) return `iscrowd ${a.iscrowd}`;
  }
  for (const im of r.images) if (!Number.isSafeInteger(im.id) || !(im.width > 0) || !(im.height > 0)) return `image ${im.id} size`;
  return undefined;
}

/** JSON-level benign changes: re-indentation, key order, unknown extra keys. */
const JSON_BENIGN: TextOp[] = [
  ...EOL_OPS,
  (t) => JSON.stringify(JSON.parse(t.replace(/^\ufeff/, '')), null, 2),
  (t) => JSON.stringify(reverseKeys(JSON.parse(t))),
  (t) => JSON.stringify(JSON.parse(t)).replace(/\{"id"/g, '{"extra":{"a":[1,2]},"id"'),
];

function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)]));
  return v;
}

/** Drops the (a mod n)-th `"key": scalar` pair; or nests a value (b mod 3000) levels deep. */
const JSON_HARMFUL: TextOp[] = [
  (t, a) => {
    const hits = [...t.matchAll(/"\w+"\s*:\s*(?:-?[\d.eE+-]+|"[^"]*"|true|false|null)\s*,?/g)];
    if (!hits.length) return t;
    const m = hits[a % hits.length];
    return t.slice(0, m.index) + t.slice(m.index! + m[0].length);
  },
  (t, a, b) => {
    const hits = [...t.matchAll(/\{/g)];
    if (!hits.length) return t;
    const at = hits[a % hits.length].index! + 1;
    const d = 1 + (b % 3000);
    return `${t.slice(0, at)}"deep":${'['.repeat(d)}${']'.repeat(d)},${t.slice(at)}`;
  },
];

const cocoGt = (stream: boolean): FuzzTarget<CocoDataset> => ({
  name: stream ? 'COCO JSON (streamed)' : 'COCO JSON',
  ext: '.json',
  bases: [FIX('samples/ir/hit-uav/coco/test_subset.json'), cocoSmall()],
  read: (f) => readCocoJson(f, { streamAboveBytes: stream ? 0 : undefined }),
  normalize: (r) => ({ images: r.images, categories: r.categories, annotations: r.annotations, variant: r.variant }),
  invariant: cocoInvariant,
  benign: JSON_BENIGN,
  harmful: JSON_HARMFUL,
  isOurError: isFormatError,
});

function cocoSmall(): Uint8Array {
  const gt = JSON.parse(fs.readFileSync(fileURLToPath(new URL('../../fixtures/metrics-cases/std/coco_map_50_95/gt_coco.json', import.meta.url)), 'utf8'));
  // A few images and their annotations keep each fuzz input small.
  const keep = new Set(gt.images.slice(0, 3).map((i: { id: number }) => i.id));
  return Buffer.from(JSON.stringify({ ...gt, images: gt.images.filter((i: { id: number }) => keep.has(i.id)), annotations: gt.annotations.filter((a: { image_id: number }) => keep.has(a.image_id)) }));
}

const cocoResults: FuzzTarget<CocoResult[]> = {
  name: 'COCO results JSON',
  ext: '.json',
  bases: [Buffer.from(JSON.stringify(JSON.parse(FIX('metrics-cases/std/coco_map_50_95/dets_coco.json').toString()).slice(0, 40)))],
  read: (f) => readCocoResults(f, { streamAboveBytes: f.length % 2 ? 0 : undefined }),
  normalize: (r) => r,
  invariant: (r) => r.map((d) => (![d.imageId, d.categoryId].every(Number.isSafeInteger) ? 'id' : !allFinite([...d.bbox, d.score]) || d.bbox[2] < 0 || d.bbox[3] < 0 ? `bbox ${d.bbox}` : undefined)).find(Boolean),
  benign: JSON_BENIGN.slice(0, 5),
  harmful: JSON_HARMFUL,
  isOurError: isFormatError,
};

/** XML whitespace and declaration changes keep the content. */
const XML_BENIGN: TextOp[] = [
  ...EOL_OPS,
  (t) => t.replace(/></g, '>\n  <'),
  (t) => (t.startsWith('<?xml') ? t : `<?xml version="1.0" encoding="utf-8"?>\n${t}`),
  (t) => t.replace(/<\/object>/, '</object><!-- reviewed -->'),
];

const XML_HARMFUL: TextOp[] = [
  (t, a) => {
    const hits = [...t.matchAll(/<(\w+)>[^<]*<\/\1>/g)];
    if (!hits.length) return t;
    const m = hits[a % hits.length];
    return t.slice(0, m.index) + t.slice(m.index! + m[0].length);
  },
  (t, a, b) => {
    const hits = [...t.matchAll(/<(\w+)>([^<]*)<\/\1>/g)];
    if (!hits.length) return t;
    const m = hits[a % hits.length];
    const d = 1 + (b % 400);
    return t.slice(0, m.index) + `<${m[1]}>${'<n>'.repeat(d)}${m[2]}${'</n>'.repeat(d)}</${m[1]}>` + t.slice(m.index! + m[0].length);
  },
  (t, a) => t.replace(/<\/(\w+)>/g, (m, name, off) => (off % 7 === a % 7 ? `</${name}x>` : m)),
];

const voc: FuzzTarget<VocAnnotation> = {
  name: 'VOC XML',
  ext: '.xml',
  bases: [FIX('samples/sar/ssdd/Annotations/000741.xml'), FIX('samples/ir/hit-uav/xml_obb/1_90_40_0_04880.xml'), PKG_FIX('dronevehicle/00001.xml')],
  read: (f) => readVocXml(f),
  normalize: (r) => ({ filename: r.filename, path: r.path, width: r.width, height: r.height, depth: r.depth, objects: r.objects.map(({ line: _line, ...o }) => o) }),
  invariant: (r) => {
    if (!Number.isSafeInteger(r.width) || r.width <= 0 || !Number.isSafeInteger(r.height) || r.height <= 0) return 'size';
    for (const o of r.objects) {
      const g = o.geometry;
      const nums = g.kind === 'bndbox' ? g.xyxy : g.kind === 'polygon' ? g.poly : [g.cx, g.cy, g.w, g.h, g.angleRad];
      if (!allFinite(nums)) return `non-finite ${g.kind}`;
      if (o.name === '') return 'empty name';
    }
    return undefined;
  },
  benign: XML_BENIGN,
  harmful: XML_HARMFUL,
  isOurError: isFormatError,
};

describe('fuzz: @babelrs/formats readers', () => {
  for (const target of [dota, task1, cocoGt(false), cocoGt(true), cocoResults, voc] as FuzzTarget<unknown>[]) {
    it(`${target.name}: every mutant reads the same, reads valid, or throws a FormatError naming the file`, async () => {
      const t = await fuzzTarget(target);
      tallies.push(t);
      expect(t.examples, t.examples.join('\n')).toEqual([]);
      expect(t.inputs).toBeGreaterThanOrEqual(200);
    });
  }
});
