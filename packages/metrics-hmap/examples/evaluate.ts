// The README's example: run with
//   npx tsx --conditions=@babelrs/source packages/metrics-hmap/examples/evaluate.ts
import { createDataset, evaluateByModality, formatReport } from '@babelrs/metrics-hmap';

const ds = createDataset({
  geometry: 'hbb', // [x1, y1, x2, y2]; 'obb' = [cx, cy, w, h, θ rad, le90]; 'poly' = 8 numbers
  classes: ['ship', 'car'],
  images: [
    { name: 'sar_001.png', modality: 'sar' },
    { name: 'ir_001.png', modality: 'ir' },
  ],
  gts: [
    { image: 'sar_001.png', label: 'ship', box: [10, 10, 50, 40] },
    { image: 'ir_001.png', label: 'car', box: [100, 100, 130, 120] },
    { image: 'ir_001.png', label: 'car', box: [200, 100, 230, 120], difficult: true },
  ],
  dets: [
    { image: 'sar_001.png', label: 'ship', box: [12, 10, 50, 42], score: 0.9 },
    { image: 'ir_001.png', label: 'car', box: [100, 102, 131, 120], score: 0.8 },
    { image: 'ir_001.png', label: 'car', box: [300, 300, 330, 320], score: 0.95 },
  ],
});

const ev = evaluateByModality(ds, 'voc');
console.log(formatReport(ev));
console.log(ev.mAP, ev.perModality.sar.mAP, ev.perModality.ir.mAP, ev.hmap);
