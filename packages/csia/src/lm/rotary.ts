// Rotary position embedding as transformers' Qwen2RotaryEmbedding / apply_rotary_pos_emb:
// inv_freq_i = θ^(−2i/d), angle = pos·inv_freq, cos/sin tiled twice (cat(freqs, freqs)), and
// x·cos + rotate_half(x)·sin with rotate_half(x) = cat(−x₂, x₁) over the two halves of head_dim.
import * as tf from '@tensorflow/tfjs';

/** cos and sin tables for positions [B, T] → each [B, 1, T, headDim] (broadcast over heads). */
export function rotaryTables(positions: readonly (readonly number[])[], headDim: number, theta: number): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const b = positions.length;
  const t = positions[0]?.length ?? 0;
  const half = headDim / 2;
  const invFreq = Float32Array.from({ length: half }, (_, i) => 1 / theta ** ((2 * i) / headDim)); // float32 as torch
  const cos = new Float32Array(b * t * headDim);
  const sin = new Float32Array(b * t * headDim);
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < t; j++) {
      const p = positions[i][j];
      const base = (i * t + j) * headDim;
      for (let k = 0; k < half; k++) {
        const angle = Math.fround(p * invFreq[k]);
        cos[base + k] = cos[base + k + half] = Math.cos(angle);
        sin[base + k] = sin[base + k + half] = Math.sin(angle);
      }
    }
  }
  return { cos: tf.tensor4d(cos, [b, 1, t, headDim]), sin: tf.tensor4d(sin, [b, 1, t, headDim]) };
}

/** x: [B, H, T, d] → rotated, same shape. */
export function applyRotary(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, t, d] = x.shape;
    const half = d / 2;
    const x1 = tf.slice(x, [0, 0, 0, 0], [b, h, t, half]);
    const x2 = tf.slice(x, [0, 0, 0, half], [b, h, t, half]);
    const rotated = tf.concat([tf.neg(x2), x1], 3); // rotate_half
    return tf.add(tf.mul(x, cos), tf.mul(rotated, sin)) as tf.Tensor4D;
  });
}
