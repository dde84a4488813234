import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obbToHbb, obbToPoly, rotatedIoU } from '@babelrs/boxes';
import { SOI_DET_CLASSES } from '../classes.js';
import { loadSoiDet, type SoiDetLoadResult } from '../formats/index.js';
import { decodeImage } from '../image/index.js';
import { buildInstructionSet } from '../instructions/index.js';
import { MODALITIES } from '../sample.js';
import { MODALITY_CONCEPTS } from './concepts.js';
import { generateMiniSoi, renderMiniSoiScene, resolveMiniSoiOptions, splitOf, type MiniSoiOptions, type MiniSoiResult } from './mini-soi.js';

// Small but enough images that the cycled primary concept covers every class (7 RGB classes).
const OPTS: MiniSoiOptions = { seed: 11, images: { sar: 8, rgb: 9, ir: 7 }, splits: { train: 0.75, test: 0.25 } };
let tmp = '';
let first: MiniSoiResult;
let loaded: SoiDetLoadResult;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-minisoi-'));
  first = await generateMiniSoi(path.join(tmp, 'a'), OPTS);
  loaded = await loadSoiDet(first.root);
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.relative(dir, path.join(d.parentPath, d.name))).sort();
}

describe('generateMiniSoi', () => {
  it('writes the SOI-Det layout, and nothing else is left behind', () => {
    const files = listFiles(first.root);
    expect(files).toContain('sar/annotations/train.json');
    expect(files).toContain('sar/images/train/sar_00000.png');
    expect(files).toContain('rgb/labelTxt/test/rgb_00008.txt');
    expect(files).toContain('ir/images/train/ir_00000.png');
    expect(files).toContain('mini-soi.json');
    expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(24);
    expect(fs.readdirSync(tmp)).toEqual(['a']);
    expect(first.counts).toEqual({ 'sar/train': 6, 'sar/test': 2, 'rgb/train': 7, 'rgb/test': 2, 'ir/train': 5, 'ir/test': 2 });
  });

  it('is byte-identical for the same seed and differs for another seed', async () => {
    const again = await generateMiniSoi(path.join(tmp, 'b'), OPTS);
    const other = await generateMiniSoi(path.join(tmp, 'c'), { ...OPTS, seed: 12 });
    const files = listFiles(first.root);
    expect(listFiles(again.root)).toEqual(files);
    for (const f of files) expect(fs.readFileSync(path.join(again.root, f)).equals(fs.readFileSync(path.join(first.root, f))), f).toBe(true);
    const img = 'rgb/images/train/rgb_00000.png';
    expect(fs.readFileSync(path.join(other.root, img)).equals(fs.readFileSync(path.join(first.root, img)))).toBe(false);
    fs.rmSync(again.root, { recursive: true });
    fs.rmSync(other.root, { recursive: true });
  });

  it('loads back through loadSoiDet with the same counts, labels and boxes', () => {
    expect(loaded.skipped).toEqual([]);
    expect(loaded.counts).toEqual(first.counts);
    expect(loaded.samples).toHaveLength(24);
    for (const s of loaded.samples) {
      const [modality, , stem] = s.id.split('/');
      const scene = renderMiniSoiScene(s.modality, Number(stem.split('_')[1]), OPTS);
      expect(modality).toBe(scene.modality);
      expect(s.id).toBe(`${scene.modality}/${scene.split}/${scene.stem}`);
      expect([s.width, s.height]).toEqual([128, 128]);
      expect(Array.from(s.labels)).toEqual(scene.objects.map((o) => o.label));
      if (s.modality === 'sar') {
        expect(s.boxType).toBe('hbb');
        // COCO stores x, y, w, h rounded to 0.01 px.
        scene.objects.forEach((o, k) => o.hbb.forEach((v, j) => expect(Math.abs(s.boxes[k * 4 + j] - v)).toBeLessThan(0.011)));
      } else {
        expect(s.boxType).toBe('obb');
        expect(Array.from(s.difficult)).toEqual(scene.objects.map((o) => o.difficult));
        scene.objects.forEach((o, k) => o.obb.forEach((v, j) => expect(s.boxes[k * 5 + j]).toBeCloseTo(v, 9)));
      }
    }
  });

  it('keeps every box inside the image and every class of each modality present', () => {
    for (const s of loaded.samples) {
      const pts = s.boxType === 'hbb' ? s.boxes : obbToPoly(s.boxes);
      for (const v of pts) {
        expect(v).toBeGreaterThanOrEqual(-0.01);
        expect(v).toBeLessThanOrEqual(128.01);
      }
    }
    for (const m of MODALITIES) {
      const present = new Set(loaded.samples.filter((s) => s.modality === m).flatMap((s) => Array.from(s.labels, (l) => SOI_DET_CLASSES[l].concept)));
      expect(present).toEqual(new Set(MODALITY_CONCEPTS[m]));
    }
  });

  it('draws the objects where the labels are: SAR targets and IR vehicles are brighter than the scene', async () => {
    // Pixels inside annotated boxes must exceed the image mean by far more than noise allows.
    let inside = 0;
    let count = 0;
    for (const s of loaded.samples.filter((x) => x.modality !== 'rgb')) {
      const img = await decodeImage(s.imagePath);
      let mean = 0;
      for (const v of img.data) mean += v / img.data.length;
      const hbb = s.boxType === 'hbb' ? s.boxes : obbToHbb(s.boxes);
      for (let k = 0; k + 4 <= hbb.length; k += 4) {
        for (let y = Math.ceil(hbb[k + 1]); y < Math.floor(hbb[k + 3]); y++) {
          for (let x = Math.ceil(hbb[k]); x < Math.floor(hbb[k + 2]); x++) {
            inside += img.data[y * img.width + x] - mean;
            count++;
          }
        }
      }
    }
    expect(count).toBeGreaterThan(100);
    // Strong scatterers (SAR) and warm bodies (IR): on average well above the image mean.
    expect(inside / count).toBeGreaterThan(5);
  });

  it('refuses to overwrite an existing root unless asked, and replaces it atomically when asked', async () => {
    await expect(generateMiniSoi(first.root, OPTS)).rejects.toThrow(/already exists \(pass overwrite: true/);
    const dir = path.join(tmp, 'd');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'stale.txt'), 'x');
    await generateMiniSoi(dir, { ...OPTS, images: { sar: 1, rgb: 1, ir: 1 }, overwrite: true });
    expect(fs.existsSync(path.join(dir, 'stale.txt'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'mini-soi.json'))).toBe(true);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('.'))).toEqual([]);
    fs.rmSync(dir, { recursive: true });
  });

  it('shares concept words across modalities in instruction data', () => {
    const pairs = buildInstructionSet(loaded.samples, { seed: 1, tasks: ['counting'], negatives: 0 });
    const asked = (m: string) => new Set(pairs.filter((p) => p.modality === m).map((p) => /How many (.+) are|Count the (.+) in|How many (.+) can/.exec(p.instruction)?.slice(1).find(Boolean)));
    // "ships" and "aircraft" are asked about in SAR and RGB; "cars" in all three modalities.
    for (const word of ['ships', 'aircraft', 'storage tanks', 'bridges', 'harbors']) {
      expect(asked('sar').has(word) && asked('rgb').has(word), word).toBe(true);
    }
    for (const m of ['sar', 'rgb', 'ir']) expect(asked(m).has('cars'), m).toBe(true);
  });
});

describe('mini-SOI options', () => {
  it('assigns splits in index order by fraction', () => {
    const s = { train: 0.8, val: 0.1, test: 0.1 };
    expect(Array.from({ length: 10 }, (_, i) => splitOf(i, 10, s))).toEqual([...Array(8).fill('train'), 'val', 'test']);
  });
  it('rejects bad options with the field named', () => {
    expect(() => resolveMiniSoiOptions({ imageSize: 20 })).toThrow(/imageSize must be an integer ≥ 48, got 20/);
    expect(() => resolveMiniSoiOptions({ difficulty: 2 })).toThrow(/difficulty must be in \[0, 1\]/);
    expect(() => resolveMiniSoiOptions({ splits: { train: 0.5 } })).toThrow(/sum to 1/);
    expect(() => resolveMiniSoiOptions({ images: { sar: -1 } })).toThrow(/images.sar must be a non-negative integer/);
    expect(() => resolveMiniSoiOptions({ objects: [3, 2] })).toThrow(/objects must be an integer range/);
    expect(() => resolveMiniSoiOptions({ objectScale: 0 })).toThrow(/objectScale must be in \(0, 4\]/);
  });
  it('object count, object size and image size follow the options', () => {
    const meanArea = (scale: number) => {
      let area = 0;
      let n = 0;
      for (let i = 0; i < 12; i++) {
        for (const o of renderMiniSoiScene('rgb', i, { seed: 3, objectScale: scale, objects: [1, 3] }).objects) {
          area += o.footprint[2] * o.footprint[3];
          n++;
        }
      }
      return area / n;
    };
    expect(meanArea(1.5) / meanArea(1)).toBeGreaterThan(1.5);
    for (let i = 0; i < 6; i++) {
      const scene = renderMiniSoiScene('ir', i, { seed: 3, imageSize: 96, objects: [2, 3] });
      expect([scene.image.width, scene.image.height, scene.image.channels]).toEqual([96, 96, 1]);
      expect(scene.objects.length).toBeGreaterThanOrEqual(1);
      expect(scene.objects.length).toBeLessThanOrEqual(3);
    }
  });
  it('OBB annotations match the drawn footprint (rounding to 0.01 px keeps rotated IoU ≈ 1)', () => {
    for (const m of ['rgb', 'ir'] as const) {
      const scene = renderMiniSoiScene(m, 3, OPTS);
      expect(scene.objects.length).toBeGreaterThan(0);
      for (const o of scene.objects) expect(rotatedIoU(o.obb, o.footprint)[0]).toBeGreaterThan(0.995);
    }
  });
});

describe('generateMiniSoi output path', () => {
  it('a root that cannot exist (below /proc) fails at once naming the folder (mkdir recursive used to spin)', async () => {
    const t0 = Date.now();
    await expect(generateMiniSoi('/proc/no-such/mini-soi', { images: { sar: 1, rgb: 0, ir: 0 } })).rejects.toThrow(/\/proc\/no-such.*cannot create folder/);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});
