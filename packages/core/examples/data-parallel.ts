// Data-parallel training on both cores: two worker threads, each with its own wasm backend and
// model replica; gradients are summed through a SharedArrayBuffer every step.
//   npx tsx --conditions=@babelrs/source examples/data-parallel.ts   (inside packages/core)
import { DataParallel } from '@babelrs/core';

const n = 64;
const x = Float32Array.from({ length: n * 8 }, (_, i) => Math.sin(i * 0.37));
const y = new Float32Array(n * 2);
for (let i = 0; i < n; i++) {
  y[2 * i] = 2 * x[8 * i];
  y[2 * i + 1] = Math.sin(x[8 * i + 1]);
}
const dp = await DataParallel.create({
  workers: 2,
  replicaModule: new URL('./mlp-replica.ts', import.meta.url),
  options: { seed: 0 },
  checkEvery: 25, // compare a hash of every replica's parameters every 25 steps
});
for (let step = 1; step <= 100; step++) {
  // the global batch: DataParallel gives rows 0–31 to worker 0 and 32–63 to worker 1
  const r = await dp.step({ x: { data: x, shape: [n, 8] }, y: { data: y, shape: [n, 2] } });
  if (step % 25 === 0) console.log(`step ${step}: loss ${r.loss.toFixed(5)}, replicas identical (hash ${r.paramHash})`);
}
const params = await dp.parameters(0);
console.log(`${params.size} parameter tensors, fc1.weight [${params.get('fc1.weight')!.length} values]`);
await dp.close();
