// Gradient of CropAndResize (the RoI-Align-like sampler), which tfjs lacks on every backend.
// Image gradient: every output sample scatters its dy back to the (up to four) image pixels it
// read, with the same bilinear weights (or the one nearest pixel) as the forward pass — the
// rules of TensorFlow's CropAndResizeGradImage. Box coordinates get a zero gradient: proposals
// are treated as constants, as detectors do when they sample RoI features (mmdet/mmrotate
// detach them); differentiating the sampling positions is not supported.
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';
import { tf } from '../../backend/tf.js';

export const cropAndResizeGradConfig: GradConfig = {
  kernelName: 'CropAndResize',
  inputsToSave: ['image', 'boxes', 'boxInd'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [image, boxes, boxInd] = saved;
    return {
      image: () => cropAndResizeImageGrad(dy as Tensor, image.shape, boxes, boxInd, attrs),
      boxes: () => tf.zeros(boxes.shape, 'float32'),
      boxInd: () => tf.zeros(boxInd.shape, 'float32'),
    };
  },
};

function cropAndResizeImageGrad(dy: Tensor, imageShape: number[], boxes: Tensor, boxInd: Tensor, attrs: NamedAttrMap): Tensor {
  const { method } = attrs as unknown as { method: 'bilinear' | 'nearest' };
  const [, cropH, cropW, depth] = dy.shape; // [numBoxes, cropH, cropW, depth]
  const { indices, weights } = samplePoints(boxes.dataSync() as Float32Array, boxInd.dataSync() as Int32Array, imageShape, cropH, cropW, method);
  const corners = weights.length / (boxes.shape[0] * cropH * cropW); // 4 (bilinear) or 1 (nearest)
  return tf.tidy(() => {
    const dyFlat = dy.reshape([-1, depth]); // [P, depth]
    const w = tf.tensor2d(weights, [corners, weights.length / corners]); // [corners, P]
    const updates = tf.concat(tf.unstack(w).map((wk) => dyFlat.mul(wk.expandDims(1))), 0); // [corners·P, depth]
    return tf.scatterND(tf.tensor2d(indices, [weights.length, 3], 'int32'), updates, imageShape);
  });
}

/**
 * For every output sample p (row-major over boxes, y, x) and corner k: the image pixel (b, row,
 * col) it reads and its weight, laid out corner-major (index k·P + p). Samples outside the image
 * (filled with extrapolationValue in the forward pass) get weight 0.
 */
function samplePoints(boxes: Float32Array, boxInd: Int32Array, imageShape: number[], cropH: number, cropW: number, method: 'bilinear' | 'nearest') {
  const [batch, imageH, imageW] = imageShape;
  const numBoxes = boxInd.length;
  const P = numBoxes * cropH * cropW;
  const corners = method === 'bilinear' ? 4 : 1;
  const indices = new Int32Array(corners * P * 3);
  const weights = new Float32Array(corners * P);
  const put = (k: number, p: number, b: number, row: number, col: number, weight: number) => {
    const i = k * P + p;
    indices.set([b, row, col], i * 3);
    weights[i] = weight;
  };
  for (let n = 0; n < numBoxes; n++) {
    const [y1, x1, y2, x2] = boxes.subarray(n * 4, n * 4 + 4);
    const b = boxInd[n];
    if (b < 0 || b >= batch) continue;
    const hScale = cropH > 1 ? ((y2 - y1) * (imageH - 1)) / (cropH - 1) : 0;
    const wScale = cropW > 1 ? ((x2 - x1) * (imageW - 1)) / (cropW - 1) : 0;
    for (let y = 0; y < cropH; y++) {
      const inY = cropH > 1 ? y1 * (imageH - 1) + y * hScale : 0.5 * (y1 + y2) * (imageH - 1);
      if (inY < 0 || inY > imageH - 1) continue;
      for (let x = 0; x < cropW; x++) {
        const inX = cropW > 1 ? x1 * (imageW - 1) + x * wScale : 0.5 * (x1 + x2) * (imageW - 1);
        if (inX < 0 || inX > imageW - 1) continue;
        const p = (n * cropH + y) * cropW + x;
        if (method === 'nearest') {
          put(0, p, b, Math.round(inY), Math.round(inX), 1);
          continue;
        }
        const top = Math.floor(inY);
        const left = Math.floor(inX);
        const yLerp = inY - top;
        const xLerp = inX - left;
        put(0, p, b, top, left, (1 - yLerp) * (1 - xLerp));
        put(1, p, b, top, Math.ceil(inX), (1 - yLerp) * xLerp);
        put(2, p, b, Math.ceil(inY), left, yLerp * (1 - xLerp));
        put(3, p, b, Math.ceil(inY), Math.ceil(inX), yLerp * xLerp);
      }
    }
  }
  return { indices, weights };
}
