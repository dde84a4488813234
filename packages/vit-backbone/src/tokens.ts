// Layout conversions between ViT token sequences and spatial maps.
import * as tf from '@tensorflow/tfjs';
import { VitShapeError } from './errors.js';

function checkTokens(tokens: tf.Tensor3D, grid: readonly [number, number], fn: string): void {
  if (tokens.rank !== 3 || tokens.shape[1] !== grid[0] * grid[1]) {
    throw new VitShapeError(`${fn}: tokens [${tokens.shape.join(', ')}] do not hold a ${grid[0]}×${grid[1]} grid (expected [B, ${grid[0] * grid[1]}, D]; remove prefix tokens first)`);
  }
}

/** Grid tokens [B, gh·gw, D] (row-major) → NHWC map [B, gh, gw, D]. A free reshape. */
export function tokensToNhwc(tokens: tf.Tensor3D, grid: [number, number]): tf.Tensor4D {
  checkTokens(tokens, grid, 'tokensToNhwc');
  return tf.reshape(tokens, [tokens.shape[0], grid[0], grid[1], tokens.shape[2]]);
}

/** Grid tokens [B, gh·gw, D] → NCHW map [B, D, gh, gw] (PyTorch layout, as ViTDet's input). */
export function tokensToNchw(tokens: tf.Tensor3D, grid: [number, number]): tf.Tensor4D {
  checkTokens(tokens, grid, 'tokensToNchw');
  return tf.tidy(() => tf.transpose(tokensToNhwc(tokens, grid), [0, 3, 1, 2]));
}

/** NHWC map [B, H, W, C] → tokens [B, H·W, C]. */
export function nhwcToTokens(map: tf.Tensor4D): tf.Tensor3D {
  const [b, h, w, c] = map.shape;
  return tf.reshape(map, [b, h * w, c]);
}
