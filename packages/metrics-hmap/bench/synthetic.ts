/**
 * Large synthetic evaluation inputs for the benchmark: `numImages` images of 800×800 with
 * `gtsPerImage` GTs over `numClasses` classes and `detsPerImage` detections, half of them
 * jittered copies of GTs (so IoUs spread over 0–1 and every threshold matters), half random.
 * Same seed → same data. Boxes are OBBs (le90); `hbbView` gives their axis-aligned xyxy.
 */
import { mulberry32 } from '../../../bench/lib.js';
import type { EvalDataset } from '../src/index.js';

export interface SyntheticOptions {
  numImages: number;
  numClasses: number;
  gtsPerImage: number;
  detsPerImage: number;
  seed?: number;
}


export function syntheticObbDataset(o: SyntheticOptions): EvalDataset {
  const rand = mulberry32(o.seed ?? 20240601);
  const nG = o.numImages * o.gtsPerImage;
  const nD = o.numImages * o.detsPerImage;
  const gts = { boxes: new Float64Array(nG * 5), labels: new Int32Array(nG), imageIndex: new Int32Array(nG), difficult: new Uint8Array(nG) };
  const dets = { boxes: new Float64Array(nD * 5), labels: new Int32Array(nD), imageIndex: new Int32Array(nD), scores: new Float64Array(nD) };
  const randomBox = (out: Float64Array, at: number): void => {
    const w = 10 + rand() * 90;
    out[at] = 50 + rand() * 700;
    out[at + 1] = 50 + rand() * 700;
    out[at + 2] = w;
    out[at + 3] = w * (0.3 + rand() * 0.7);
    out[at + 4] = (rand() - 0.5) * Math.PI;
  };
  for (let im = 0; im < o.numImages; im++) {
    const g0 = im * o.gtsPerImage;
    for (let g = g0; g < g0 + o.gtsPerImage; g++) {
      randomBox(gts.boxes, g * 5);
      gts.labels[g] = Math.floor(rand() * o.numClasses);
      gts.imageIndex[g] = im;
      gts.difficult[g] = rand() < 0.1 ? 1 : 0;
    }
    for (let d = im * o.detsPerImage; d < (im + 1) * o.detsPerImage; d++) {
      dets.imageIndex[d] = im;
      dets.scores[d] = Math.round(rand() * 1e4) / 1e4; // 4 decimals: many ties, as real outputs
      if (rand() < 0.5) {
        // a jittered copy of one of this image's GTs (sometimes with the wrong class)
        const g = g0 + Math.floor(rand() * o.gtsPerImage);
        for (let k = 0; k < 5; k++) dets.boxes[d * 5 + k] = gts.boxes[g * 5 + k];
        const s = gts.boxes[g * 5 + 2] * 0.15;
        dets.boxes[d * 5] += (rand() - 0.5) * s;
        dets.boxes[d * 5 + 1] += (rand() - 0.5) * s;
        dets.boxes[d * 5 + 4] += (rand() - 0.5) * 0.2;
        dets.labels[d] = rand() < 0.9 ? gts.labels[g] : Math.floor(rand() * o.numClasses);
      } else {
        randomBox(dets.boxes, d * 5);
        dets.labels[d] = Math.floor(rand() * o.numClasses);
      }
    }
  }
  const images = Array.from({ length: o.numImages }, (_, i) => ({ name: `img_${i}`, modality: i % 2 ? 'ir' : 'rgb' }));
  const classes = Array.from({ length: o.numClasses }, (_, i) => `class_${i}`);
  return { geometry: 'obb', classes, images, gts, dets };
}

/** The same dataset as axis-aligned xyxy boxes (the OBBs' bounding boxes). */
export function hbbView(ds: EvalDataset): EvalDataset {
  const conv = (b: Float64Array): Float64Array => {
    const n = b.length / 5;
    const out = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) {
      const [cx, cy, w, h, t] = [b[5 * i], b[5 * i + 1], b[5 * i + 2], b[5 * i + 3], b[5 * i + 4]];
      const hw = (Math.abs(w * Math.cos(t)) + Math.abs(h * Math.sin(t))) / 2;
      const hh = (Math.abs(w * Math.sin(t)) + Math.abs(h * Math.cos(t))) / 2;
      out.set([cx - hw, cy - hh, cx + hw, cy + hh], 4 * i);
    }
    return out;
  };
  return { ...ds, geometry: 'hbb', gts: { ...ds.gts, boxes: conv(ds.gts.boxes) }, dets: { ...ds.dets, boxes: conv(ds.dets.boxes) } };
}
