// Run from the repo root: npx tsx --conditions=@babelrs/source packages/vit-backbone/examples/quickstart.ts
import * as tf from '@tensorflow/tfjs';
import { interpolatePosEmbed, patchGrid, patchify, vitPreset } from '@babelrs/vit-backbone';

await tf.setBackend('cpu');

// A 1-channel (SAR) ViT-Tiny: patch embedding = patchify + matMul with a [D, C·p·p] weight.
const cfg = vitPreset('vit-tiny', { inChannels: 1 });
const images = tf.randomUniform([2, cfg.inChannels, 224, 224]) as tf.Tensor4D; // [B, C, H, W]
const patches = patchify(images, cfg.patchSize); // [2, 196, 256]
const weight = tf.randomNormal([cfg.embedDim, cfg.inChannels * cfg.patchSize ** 2], 0, 0.02); // timm proj.weight reshaped
const tokens = tf.matMul(patches.reshape([-1, patches.shape[2]]), weight, false, true).reshape([2, -1, cfg.embedDim]);
console.log('patches', patches.shape, '→ tokens', tokens.shape);

// Fine-tune at 800 px: resample the 14×14 position embedding (plus class token) to 50×50.
const from = patchGrid(cfg.patchSize, cfg.imgSize);
const to = patchGrid(cfg.patchSize, 800);
const posEmbed = tf.randomNormal([1, 1 + from[0] * from[1], cfg.embedDim]) as tf.Tensor3D;
const resized = interpolatePosEmbed(posEmbed, from, to, 1);
console.log(`pos embed ${from.join('×')} → ${to.join('×')}:`, posEmbed.shape, '→', resized.shape);
tf.dispose([images, patches, weight, tokens, posEmbed, resized]);
