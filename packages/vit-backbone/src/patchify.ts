// Patch embedding as reshape + transpose (+ a matMul by the caller). It is the same math as a
// Conv2d with kernel = stride = p, but it trains on every backend: the wasm backend lacks
// Conv2DBackpropFilter, and a matMul gradient is fast everywhere.
import * as tf from '@tensorflow/tfjs';
import { VitShapeError } from './errors.js';

/**
 * Splits images into non-overlapping p×p patches, row-major over the patch grid.
 *
 * images: [B, C, H, W] (PyTorch layout) → [B, (H/p)·(W/p), C·p·p]. Each patch vector is
 * flattened in (c, ky, kx) order, the order of a PyTorch Conv2d weight [D, C, p, p]; so
 * `matMul(patchify(x, p), W.reshape([D, C·p·p]), false, true)` equals timm's
 * `patch_embed.proj(x).flatten(2).transpose(1, 2)` without the bias.
 */
export function patchify(images: tf.Tensor4D, patch: number): tf.Tensor3D {
  if (!Number.isInteger(patch) || patch < 1) throw new VitShapeError(`patch size must be a positive integer, got ${patch}`);
  if (images.rank !== 4) throw new VitShapeError(`patchify expects images [B, C, H, W], got rank ${images.rank}`);
  const [b, c, h, w] = images.shape;
  if (h % patch !== 0 || w % patch !== 0) {
    throw new VitShapeError(`image size ${h}×${w} is not divisible by the patch size ${patch}; resize or pad first`);
  }
  const gh = h / patch;
  const gw = w / patch;
  return tf.tidy(() => {
    // Two rank-4 transposes instead of one rank-6 [0, 2, 4, 1, 3, 5]: same result, but tfjs
    // backends (wasm especially, ~7× measured) have fast paths only up to rank 4.
    const rows = tf.reshape(images, [b * c * gh, patch, gw, patch]); // [B·C·gh, p, gw, p]
    const patchMajor = tf.transpose(rows, [0, 2, 1, 3]); // [B·C·gh, gw, p, p]
    const perChannel = tf.reshape(patchMajor, [b, c, gh * gw, patch * patch]); // [B, C, N, p·p]
    const tokens = tf.transpose(perChannel, [0, 2, 1, 3]); // [B, N, C, p·p]
    return tf.reshape(tokens, [b, gh * gw, c * patch * patch]); // [B, N, C·p·p]
  });
}
