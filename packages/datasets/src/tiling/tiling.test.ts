import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { polyToObb, rotatedIoU } from '@babelrs/boxes';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, SAMPLES } from '../testing/test-support.js';
import { readDotaTxt } from '@babelrs/formats';
import { decodeImage } from '../image/decode-image.js';
import { mergeTileDetections } from './merge-detections.js';
import { cropTile, splitDotaAnnotations, splitDotaDataset, splitDotaImage } from './split-dota.js';
import { parseTileName, tileName, tileWindows } from './tile-grid.js';
import { bestRotation, mergeShortestEdge, orientPositive, tileObjects } from './tile-objects.js';

const P1888_IMG = path.join(SAMPLES, 'dota/images/P1888.png');
const P1888_TXT = path.join(SAMPLES, 'dota/labelTxt/P1888.txt');
const SMALL = { size: 256, gap: 64 };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tiling-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface ReferenceTiles {
  tiles: { name: string; left: number; up: number; lines: [number[], string, number][] }[];
}

describe('tileWindows (devkit walk)', () => {
  it('steps by size − gap and pulls the last window back to the border', () => {
    const w = tileWindows(712, 557, SMALL);
    expect([...new Set(w.map((t) => t.left))]).toEqual([0, 192, 384, 456]);
    expect([...new Set(w.map((t) => t.up))]).toEqual([0, 192, 301]);
    expect(w[w.length - 1]).toEqual({ left: 456, up: 301, right: 711, down: 556 });
    expect(tileWindows(100, 50, { size: 800, gap: 200 })).toEqual([{ left: 0, up: 0, right: 99, down: 49 }]);
    expect(tileWindows(1000, 800, { size: 800, gap: 200 }).map((t) => [t.left, t.up])).toEqual([[0, 0], [200, 0]]);
    expect(() => tileWindows(10, 10, { size: 8, gap: 8 })).toThrow(/gap must be an integer in \[0, size\)/);
  });

  it('names tiles like the devkit and parses the names back', () => {
    expect(tileName('P1888', 456, 301)).toBe('P1888__1__456___301');
    expect(parseTileName('P0001__0.5__1024___824')).toEqual({ image: 'P0001', rate: 0.5, left: 1024, up: 824 });
    expect(parseTileName('P0001')).toBeUndefined();
  });
});

describe('polygon helpers (devkit rules)', () => {
  it('merges the shortest edge of a 5-gon into its midpoint', () => {
    expect(mergeShortestEdge([0, 0, 10, 0, 10, 10, 1, 10, 0, 9])).toEqual([0, 0, 10, 0, 10, 10, 0.5, 9.5]);
  });

  it('picks the cyclic start closest to the original corners and orients positively', () => {
    expect(bestRotation([5, 5, 6, 5, 6, 6, 5, 6], [6, 6, 5, 6, 5, 5, 6, 5])).toEqual([6, 6, 5, 6, 5, 5, 6, 5]);
    expect(orientPositive([0, 0, 0, 1, 1, 1, 1, 0])).toEqual([1, 0, 1, 1, 0, 1, 0, 0]);
  });

  it('keeps, marks difficult or drops a cut object by its surviving area', () => {
    const win = { left: 0, up: 0, right: 100, down: 100 };
    const objects = [
      { poly: [10, 10, 20, 10, 20, 20, 10, 20], className: 'a', difficult: 0 }, // inside
      { poly: [90, 10, 110, 10, 110, 20, 90, 20], className: 'b', difficult: 0 }, // 50 % inside
      { poly: [80, 30, 110, 30, 110, 40, 80, 40], className: 'c', difficult: 1 }, // 2/3 inside: ≤ 0.7
      { poly: [70, 50, 110, 50, 110, 60, 70, 60], className: 'd', difficult: 0 }, // 75 % inside
      { poly: [200, 200, 210, 200, 210, 210, 200, 210], className: 'e', difficult: 0 }, // outside
    ];
    const marked = tileObjects(objects, win, { size: 100 });
    expect(marked.objects.map((o) => [o.className, o.difficult, o.poly])).toEqual([
      ['a', 0, [10, 10, 20, 10, 20, 20, 10, 20]],
      ['b', 2, [90, 10, 100, 10, 100, 20, 90, 20]],
      ['c', 2, [80, 30, 100, 30, 100, 40, 80, 40]],
      ['d', 0, [70, 50, 100, 50, 100, 60, 70, 60]],
    ]);
    expect(marked.counts).toMatchObject({ kept: 2, markedDifficult: 2 });
    const dropped = tileObjects(objects, win, { size: 100, belowThreshold: 'drop' });
    expect(dropped.objects.map((o) => o.className)).toEqual(['a', 'd']);
    expect(dropped.counts.droppedBelowThreshold).toBe(2);
  });
});

describe('cropTile', () => {
  it('zero-pads an edge tile to size × size, like the devkit with padding', () => {
    const img = { data: Float32Array.from([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60]), width: 3, height: 2, channels: 2, bitDepth: 8, sampleFormat: 'uint' as const };
    const t = cropTile(img, 1, 1, 3, true);
    expect([t.width, t.height]).toEqual([3, 3]);
    expect(Array.from(t.data)).toEqual([5, 6, 0, 0, 0, 0, 0, 0, 0, 50, 60, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(cropTile(img, 1, 0, 3, false).data)).toEqual([2, 3, 5, 6, 20, 30, 50, 60]);
  });
});

describe('mergeTileDetections (hand cases)', () => {
  it('shifts by the tile offset, undoes the rate and suppresses duplicates per class only', () => {
    const merged = mergeTileDetections(
      [
        { left: 0, up: 0, boxes: [10, 10, 30, 20, 50, 50, 60, 60], scores: [0.9, 0.5], labels: [1, 1] },
        // Same first object seen from a tile at (5, 5) with a lower score, plus a class-2 box on it.
        { left: 5, up: 5, boxes: [5, 5, 25, 15, 5, 5, 25, 15], scores: [0.8, 0.7], labels: [1, 2] },
      ],
      { rotated: false, iouThr: 0.5 },
    );
    expect(Array.from(merged.scores)).toEqual([0.9, 0.7, 0.5]);
    expect(Array.from(merged.labels)).toEqual([1, 2, 1]);
    expect(Array.from(merged.boxes)).toEqual([10, 10, 30, 20, 10, 10, 30, 20, 50, 50, 60, 60]);
    const scaled = mergeTileDetections([{ left: 100, up: 50, rate: 0.5, boxes: [10, 20, 8, 4, 0.3], scores: [1], labels: [0] }]);
    expect(Array.from(scaled.boxes)).toEqual([220, 140, 16, 8, 0.3]);
    expect(() => mergeTileDetections([{ left: 0, up: 0, boxes: [1, 2, 3, 4], scores: [1], labels: [0] }])).toThrow(/tile at \(0, 0\): boxes has 4 values, expected 5 per score \(1 scores, 1 labels\)/);
  });
});

describe('tileObjects polygon shapes after clipping', () => {
  const win = { left: 0, up: 0, right: 100, down: 100 };

  it('turns a clipped 5-gon into 4 points by merging its shortest edge (hand-computed)', () => {
    // Kite with diagonals 26 × 24 (area 312); x ≤ 100 cuts the tip (100, 44.545)–(106, 50)–(100, 57.636).
    const r = tileObjects([{ poly: [80, 50, 95, 40, 106, 50, 95, 64], className: 'k', difficult: 0 }], win, { size: 100 });
    expect(r.objects).toHaveLength(1);
    // Shortest edge (95, 40)–(100, 44.545) → midpoint (97.5, 42.27); int() truncation.
    expect(r.objects[0].poly).toEqual([80, 50, 97, 42, 100, 57, 95, 64]);
    expect(r.objects[0].difficult).toBe(0);
    expect(r.objects[0].keptFraction).toBeCloseTo((312 - 0.5 * (13 + 1 / 11) * 6) / 312, 12);
    const exact = tileObjects([{ poly: [80, 50, 95, 40, 106, 50, 95, 64], className: 'k', difficult: 0 }], win, { size: 100, integerCoords: false });
    expect(exact.objects[0].poly[3]).toBeCloseTo((40 + 40 + 50 / 11) / 2, 12);
  });

  it('drops a clipped triangle (fewer than 4 points), as the devkit does', () => {
    const r = tileObjects([{ poly: [80, 50, 100, 30, 120, 50, 100, 70], className: 'd', difficult: 0 }], win, { size: 100 });
    expect(r.objects).toEqual([]);
    expect(r.counts.droppedShape).toBe(1);
  });
});

describe('DOTA tiling on the real sample P1888 (256 px tiles, 64 px gap)', () => {
  const label = readDotaTxt(P1888_TXT);
  const split = splitDotaAnnotations('P1888', label.objects, 712, 557, SMALL);

  it('matches the shapely reference of the devkit rules line for line', () => {
    const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'tiling/P1888_256_64.json'), 'utf8')) as ReferenceTiles;
    expect(split.tiles.map((t) => t.name)).toEqual(ref.tiles.map((t) => t.name));
    split.tiles.forEach((t, i) => {
      expect(t.objects.map((o) => [o.poly, o.className, o.difficult])).toEqual(ref.tiles[i].lines);
    });
  });

  it('covers every object, counts 161 tile objects and keeps each polygon inside its tile', () => {
    expect(split.tiles).toHaveLength(12);
    expect(split.sourceObjectsCovered).toBe(64);
    expect(split.counts.kept + split.counts.markedDifficult).toBe(161);
    expect(split.counts.markedDifficult).toBe(24);
    for (const t of split.tiles) {
      const w = t.window.right - t.window.left;
      const h = t.window.down - t.window.up;
      for (const o of t.objects) {
        for (let k = 0; k < 8; k += 2) {
          expect(o.poly[k]).toBeGreaterThanOrEqual(0);
          expect(o.poly[k]).toBeLessThanOrEqual(w);
          expect(o.poly[k + 1]).toBeGreaterThanOrEqual(0);
          expect(o.poly[k + 1]).toBeLessThanOrEqual(h);
        }
      }
    }
  });

  it('merging GT-as-detections of all tiles recovers every original object (IoU ≈ 1)', () => {
    const tiles = split.tiles.map((t) => ({
      left: t.window.left,
      up: t.window.up,
      boxes: polyToObb(t.objects.flatMap((o) => o.poly), 'le90'),
      scores: t.objects.map((o) => o.keptFraction),
      labels: t.objects.map((o) => (o.className === 'large-vehicle' ? 9 : 10)),
    }));
    const merged = mergeTileDetections(tiles);
    const originals = polyToObb(label.objects.flatMap((o) => o.poly), 'le90');
    const iou = rotatedIoU(originals, merged.boxes);
    const m = merged.scores.length;
    for (let i = 0; i < label.objects.length; i++) {
      let best = 0;
      for (let j = 0; j < m; j++) best = Math.max(best, iou[i * m + j]);
      expect(best).toBeGreaterThan(0.999);
    }
    // Whole copies of an object in overlapping tiles collapse to one detection.
    const whole = Array.from(merged.scores).filter((s) => s === 1).length;
    expect(whole).toBe(64);
  });

  it('writes tile images (zero-padded) and labelTxt files that read back', async () => {
    const out = path.join(tmp, 'split');
    const report = await splitDotaImage(P1888_IMG, P1888_TXT, out, SMALL);
    expect(report.tiles).toHaveLength(12);
    expect(report.sourceObjects).toBe(64);
    expect(fs.readdirSync(path.join(out, 'images')).sort()).toEqual(split.tiles.map((t) => `${t.name}.png`).sort());
    const last = await decodeImage(path.join(out, 'images', 'P1888__1__456___301.png'));
    expect([last.width, last.height, last.channels]).toEqual([256, 256, 3]);
    const full = await decodeImage(P1888_IMG);
    // Tile pixel (10, 20) is full-image pixel (466, 321).
    for (let c = 0; c < 3; c++) expect(last.data[c * 65536 + 20 * 256 + 10]).toBe(full.data[c * 712 * 557 + 321 * 712 + 466]);
    const edge = await decodeImage(path.join(out, 'images', 'P1888__1__0___0.png'));
    expect(edge.width).toBe(256);
    const corner = await decodeImage(path.join(out, 'images', 'P1888__1__192___301.png'));
    expect(corner.data[256 * 256 - 1]).toBe(full.data[556 * 712 + 447]);
    const back = readDotaTxt(path.join(out, 'labelTxt', 'P1888__1__384___192.txt'));
    expect(back.objects).toHaveLength(split.tiles.find((t) => t.name === 'P1888__1__384___192')!.objects.length);
  });

  it('splits at a resize rate (multi-scale): scaled polygons, rate in the tile names, merge undoes it', async () => {
    const half = splitDotaAnnotations('P1888', label.objects, 712, 557, { ...SMALL, rate: 0.5, integerCoords: false });
    // 356×279 (rounded) → lefts 0, 100; ups 0, 23.
    expect(half.tiles.map((t) => t.name)).toEqual(['P1888__0.5__0___0', 'P1888__0.5__0___23', 'P1888__0.5__100___0', 'P1888__0.5__100___23']);
    // Object 0 at (674…684, 375…395) lands at (337…342, 187.5…197.5) → tile (100, 23).
    const first = half.tiles[3].objects.find((o) => o.sourceIndex === 0)!;
    expect(first.poly).toEqual(label.objects[0].poly.map((v, k) => v * 0.5 - (k % 2 ? 23 : 100)));
    const merged = mergeTileDetections(
      half.tiles.map((t) => ({ left: t.window.left, up: t.window.up, rate: 0.5, boxes: polyToObb(t.objects.flatMap((o) => o.poly)), scores: t.objects.map((o) => o.keptFraction), labels: t.objects.map(() => 0) })),
    );
    const iou = rotatedIoU(polyToObb(label.objects[0].poly), merged.boxes);
    expect(Math.max(...iou)).toBeGreaterThan(0.999);
    const out = path.join(tmp, 'half');
    const report = await splitDotaImage(P1888_IMG, P1888_TXT, out, { ...SMALL, rate: 0.5 });
    expect(report.tiles).toHaveLength(4);
    const tile = await decodeImage(path.join(out, 'images', 'P1888__0.5__0___0.png'));
    expect([tile.width, tile.height]).toEqual([256, 256]);
    expect(() => splitDotaAnnotations('x', [], 10, 10, { ...SMALL, rate: 0 })).toThrow(/rate must be a positive number/);
  });

  it('splits a whole DOTA folder (devkit layout) and sums the counts', async () => {
    const out = path.join(tmp, 'folder');
    const report = await splitDotaDataset(path.join(SAMPLES, 'dota'), out, { ...SMALL, ext: '.jpg' });
    expect(report.images).toHaveLength(1);
    expect(report.tiles).toBe(12);
    expect(report.counts).toEqual(split.counts);
    expect(report.imagesWithoutLabels).toEqual([]);
    expect(fs.readdirSync(path.join(out, 'labelTxt'))).toHaveLength(12);
    expect(fs.readdirSync(path.join(out, 'images')).every((f) => f.endsWith('.jpg'))).toBe(true);
  });
});
