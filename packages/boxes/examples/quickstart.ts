// Runnable example for the README: npx tsx --conditions=@babelrs/source packages/boxes/examples/quickstart.ts
import { convertAngleConvention, obbToPoly, polyToObb, rotatedIoU, rotatedNms } from '@babelrs/boxes';

// One ground truth and two detections, (cx, cy, w, h, θ rad) in le90.
const gts = new Float64Array([100, 100, 60, 20, 0.3]);
const dets = new Float64Array([
  102, 101, 58, 22, 0.32, // close to the GT
  100, 100, 20, 60, 0.3 + Math.PI / 2, // the GT's rectangle, written with w/h swapped
]);

const iou = rotatedIoU(dets, gts); // N×M = 2×1
const keep = rotatedNms(dets, [0.9, 0.8], 0.5); // the second overlaps the first → suppressed
const poly = obbToPoly(gts); // 8 numbers, mmrotate corner order
const back = polyToObb(poly, 'le90'); // the GT again, up to float error
const oc = convertAngleConvention(dets.subarray(5), 'le90', 'oc');

console.log('IoU det→gt:', Array.from(iou, (v) => v.toFixed(4)).join(', '));
console.log('kept:', Array.from(keep));
console.log('poly:', Array.from(poly, (v) => v.toFixed(2)).join(' '));
console.log('poly → le90:', Array.from(back, (v) => +v.toFixed(9)));
console.log('det 1 in oc:', Array.from(oc, (v) => +v.toFixed(9)));
