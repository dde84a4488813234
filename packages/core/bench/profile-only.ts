// Quick profile run: `tsx --conditions=@babelrs/source bench/profile-only.ts` prints the step profile.
import { initBackend, tf } from '../src/index.js';
import { profileStep } from './profile-step.js';
import { createAdamW, createVit, disposeVit, FAST_OPS, FAST_UNFUSED_OPS, trainStep, VIT_TINY } from './vit-tiny.js';
const OPS = process.env.UNFUSED ? FAST_UNFUSED_OPS : FAST_OPS;

const cfg = { ...VIT_TINY, depth: Number(process.env.DEPTH ?? VIT_TINY.depth) };
await initBackend({ prefer: 'wasm' });
const p = createVit(cfg, 1);
const opt = createAdamW(p, OPS.optimizer);
const images = tf.randomNormal([cfg.batch, cfg.imageSize, cfg.imageSize, cfg.channels], 0, 1, 'float32', 7);
const labels = tf.oneHot(tf.tensor1d(Array.from({ length: cfg.batch }, (_, i) => (i * 37) % cfg.classes), 'int32'), cfg.classes);
let t = performance.now();
trainStep(p, opt, images, labels, cfg, OPS);
console.log('warm step', (performance.now() - t).toFixed(0));
t = performance.now();
trainStep(p, opt, images, labels, cfg, OPS);
console.log('step', (performance.now() - t).toFixed(0));
const prof = await profileStep(p, opt, images, labels, cfg, OPS);
for (const ph of ['forward', 'backward', 'optimizer', 'total'] as const) {
  const x = prof[ph];
  console.log(`${ph}: wall ${x.wallMs} kernel ${x.kernelMs}`);
  for (const k of x.kernels.slice(0, 14)) console.log(`   ${k.kernel.padEnd(24)} ${String(k.calls).padStart(5)} ${String(k.ms).padStart(8)} ${(k.share * 100).toFixed(1)}%`);
}
for (const c of prof.slowestCalls) console.log(`${c.kernel} ${c.inputShapes} ×${c.calls} ${c.ms}`);
disposeVit(p, opt);
