/**
 * One loader throughput measurement in a process of its own (started by `bench/loader.ts`):
 * runs in the same process one after another, later modes paid for the earlier ones' leftovers
 * (heap, freed worker isolates; +20–45 % CPU per image measured after a step-wise run).
 * Argument: a JSON `LoaderRunArgs`; prints one JSON line `{ imagesPerSecond, cpuMsPerImage }`.
 */
import { ModalityBalancedSampler, PrefetchLoader, loadSoiDet, type LoadedBatch, type TransformSpec } from '../src/index.js';

export interface LoaderRunArgs {
  root: string;
  splits?: string[];
  pipeline: TransformSpec[];
  workers: number;
  batches: number;
  fused: boolean;
  release: boolean;
}

const args = JSON.parse(process.argv[2] ?? '') as LoaderRunArgs;
const samples = (await loadSoiDet(args.root, args.splits ? { splits: args.splits } : {})).samples;
const sampler = new ModalityBalancedSampler({ modalities: samples.map((s) => s.modality), seed: 1 });
const loader = new PrefetchLoader({ samples, batches: sampler, pipeline: args.pipeline, workers: args.workers, seed: 1, fusedPipeline: args.fused });
const take = async (): Promise<number> => {
  const batch = (await loader.next()).value as LoadedBatch;
  if (args.release) batch.release();
  return batch.items.length;
};
// The first batches include worker start-up, JIT warm-up and (with release) filling the canvas pool: time the steady state after them.
for (let b = 0; b < Math.max(3, 3 * args.workers); b++) await take();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let images = 0;
for (let b = 0; b < args.batches; b++) images += await take();
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
await loader.close();
console.log(JSON.stringify({ imagesPerSecond: images / seconds, cpuMsPerImage: (cpu.user + cpu.system) / 1000 / images }));
