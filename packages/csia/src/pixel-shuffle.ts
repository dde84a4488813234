// InternVL's pixel shuffle (ps_version 'v2'), the first step of the CSIA projector: with
// scale 0.5 every 2×2 block of visual tokens becomes one token with 4× the channels, so
// InternViT-300M's 32×32 = 1024 tokens at 448 px reach the LM as 256 tokens.
import * as tf from '@tensorflow/tfjs';
import { CsiaInputError } from './errors.js';

/**
 * tokens: [B, gridH·gridW, C] (row-major patch grid, no class token) → [B, N·s², C/s²].
 *
 * Output token (i, j) of the (gridH·s)×(gridW·s) grid holds the input block rows
 * i/s … i/s + 1/s − 1, columns j/s …, concatenated row by row: for s = 0.5 the channels are
 * [x(2i, 2j), x(2i, 2j+1), x(2i+1, 2j), x(2i+1, 2j+1)], exactly as InternVL computes it.
 */
export function pixelShuffle(tokens: tf.Tensor3D, gridH: number, gridW: number, scale = 0.5): tf.Tensor3D {
  if (tokens.rank !== 3) throw new CsiaInputError(`pixelShuffle expects tokens [B, N, C], got rank ${tokens.rank}`);
  const [b, n, c] = tokens.shape;
  if (n !== gridH * gridW) {
    throw new CsiaInputError(`pixelShuffle: ${n} tokens do not form a ${gridH}×${gridW} grid (drop the class token first)`);
  }
  const factor = 1 / scale;
  if (!(scale > 0 && scale < 1) || !Number.isInteger(factor)) {
    throw new CsiaInputError(`pixelShuffle scale must be 1/k for an integer k >= 2, got ${scale}`);
  }
  if (gridH % factor !== 0 || gridW % factor !== 0) {
    throw new CsiaInputError(`pixelShuffle: grid ${gridH}×${gridW} is not divisible by ${factor} (scale ${scale})`);
  }
  const outH = gridH / factor;
  const outW = gridW / factor;
  return tf.tidy(() => {
    // InternVL names the dims (n, w, h, c) of a [B, gridH, gridW, C] tensor; the two views and
    // permutes below are its ones, so the channel order is identical.
    const x1 = tf.reshape(tokens, [b, gridH, outW, c * factor]); // [B, gH, gW·s, C/s]
    const x2 = tf.transpose(x1, [0, 2, 1, 3]); // [B, gW·s, gH, C/s]
    const x3 = tf.reshape(x2, [b, outW, outH, c * factor * factor]); // [B, gW·s, gH·s, C/s²]
    const x4 = tf.transpose(x3, [0, 2, 1, 3]); // [B, gH·s, gW·s, C/s²]  (ps_version 'v2')
    return tf.reshape(x4, [b, outH * outW, c * factor * factor]); // [B, N·s², C/s²]
  });
}
