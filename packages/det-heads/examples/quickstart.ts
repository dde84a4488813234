// Run from the repo root: npx tsx --conditions=@babelrs/source packages/det-heads/examples/quickstart.ts
import * as tf from '@tensorflow/tfjs';
import { boxToDistance, distanceToBox, distributionFocalLoss, giouLoss, integralDistribution, qualityFocalLoss } from '@babelrs/det-heads';

await tf.setBackend('cpu');
const regMax = 16; // GFL: each box side is a distribution over 0..16 stride units

// Two positive anchor points and their ground-truth boxes, in stride units (pixels / stride).
const points = tf.tensor2d([[10, 10], [20, 12]]);
const gtBoxes = tf.tensor2d([[7, 6, 14, 13], [15, 9, 30, 14]]);
const targetDist = boxToDistance(points, gtBoxes, regMax); // [2, 4], clamped to regMax − 0.1

// Head outputs (random here): per-side distributions and class logits (K = 6 SAR classes).
const regLogits = tf.randomNormal([2, 4 * (regMax + 1)], 0, 1, 'float32', 3);
const clsLogits = tf.randomNormal([2, 6], 0, 1, 'float32', 4);

const gflLoss = (reg: tf.Tensor, cls: tf.Tensor): tf.Tensor => {
  const boxes = distanceToBox(points, integralDistribution(reg as tf.Tensor2D, regMax)); // [2, 4] xyxy
  const lossBox = giouLoss(boxes, gtBoxes); // mean over positives
  const perSide = tf.reshape(reg, [-1, regMax + 1]) as tf.Tensor2D; // [2·4, R+1]
  const lossDfl = distributionFocalLoss(perSide, targetDist, { reduction: 'mean' });
  // In a real head the QFL score is the IoU of the (detached) decoded box; fixed here.
  const lossQfl = qualityFocalLoss(cls as tf.Tensor2D, [0, 3], [0.7, 0.4], { reduction: 'mean' });
  return tf.addN([lossBox, tf.mul(lossDfl, 0.25), lossQfl]);
};

const { value, grads } = tf.valueAndGrads(gflLoss)([regLogits, clsLogits]);
console.log('target distances:', Array.from(targetDist.dataSync()).map((d) => d.toFixed(1)).join(' '));
console.log('total GFL loss:', value.dataSync()[0].toFixed(4));
console.log('gradient shapes:', grads.map((g) => g.shape));
tf.dispose([points, gtBoxes, targetDist, regLogits, clsLogits, value, ...grads]);
