// The main thread's side of `fineTune({ workers: n })`: splits each collated global batch into
// one shard per worker, steps core's DataParallel, and mirrors the workers' weights (and, for
// checkpoints, their optimizer state) into the caller's detector.
import * as tf from '@tensorflow/tfjs';
import { DataParallel, type StepEvent } from '@babelrs/core';
import type { DetectorBatch, ModalityGroup } from './batch.js';
import type { FineTuneReplicaOptions, FineTuneReplicaState, FineTuneShard, HostTensor } from './fine-tune-replica.js';
import { fromHostTensor, toHostTensor } from './fine-tune-replica.js';
import type { MultiModalDetector } from './multi-modal-detector.js';

/** Rows of the global batch per worker: per modality group, [start, count) in the batch. */
export type ShardPlan = Array<Array<{ modality: string; start: number; count: number; total: number }>>;

/**
 * How a global batch is split over `workers`.
 * - By modality, when the groups can be dealt to the workers with exactly equal image counts
 *   (e.g. SOI-Det's 2:1:1 → SAR | RGB + IR): every head's loss is computed whole in one worker,
 *   so the summed gradient IS the single-thread gradient (equal up to float rounding).
 * - Otherwise by image within every modality (contiguous, sizes differing by at most one): each
 *   worker's head loss is normalised by its own shard's positives and weighted by its share of
 *   that modality's images — data-parallel semantics (mmdet's DDP without a synced `avg_factor`),
 *   close to but not bit-equal with the single-thread loss.
 */
export function planShards(groups: readonly ModalityGroup[], workers: number): { plan: ShardPlan; exact: boolean } {
  const total = groups.reduce((a, g) => a + g.count, 0);
  if (total < workers) throw new RangeError(`fineTune: a batch of ${total} images cannot feed ${workers} workers (need ≥ 1 image each)`);
  const byModality = dealGroups(groups, workers);
  if (byModality) return { plan: byModality.map((gs) => gs.map((g) => ({ modality: g.modality, start: g.start, count: g.count, total: g.count }))), exact: true };
  const plan: ShardPlan = Array.from({ length: workers }, () => []);
  let offset = 0; // rotates which worker gets a group's remainder image, keeping shard sizes balanced
  for (const g of groups) {
    const base = Math.floor(g.count / workers);
    let start = g.start;
    for (let i = 0; i < workers; i++) {
      const w = (i + offset) % workers;
      const count = base + (i < g.count % workers ? 1 : 0);
      if (count > 0) plan[w].push({ modality: g.modality, start, count, total: g.count });
      start += count;
    }
    offset = (offset + (g.count % workers)) % workers;
  }
  // keep each worker's groups in batch order (sar, rgb, ir), as collation does
  for (const p of plan) p.sort((a, b) => a.start - b.start);
  if (plan.some((p) => p.length === 0)) throw new RangeError(`fineTune: cannot give each of ${workers} workers an image of this batch`);
  return { plan, exact: false };
}

/** An assignment of whole groups to workers with equal image counts, if one exists (≤ workers^groups tries). */
function dealGroups(groups: readonly ModalityGroup[], workers: number): ModalityGroup[][] | null {
  const total = groups.reduce((a, g) => a + g.count, 0);
  if (total % workers !== 0 || groups.length < workers || workers ** groups.length > 1 << 16) return null;
  const target = total / workers;
  const loads = new Array<number>(workers).fill(0);
  const pick = new Array<number>(groups.length).fill(0);
  const search = (k: number): boolean => {
    if (k === groups.length) return loads.every((l) => l === target);
    for (let w = 0; w < workers; w++) {
      if (loads[w] + groups[k].count > target) continue;
      loads[w] += groups[k].count;
      pick[k] = w;
      if (search(k + 1)) return true;
      loads[w] -= groups[k].count;
    }
    return false;
  };
  if (!search(0)) return null;
  return Array.from({ length: workers }, (_, w) => groups.filter((_, k) => pick[k] === w));
}

/** Worker `w`'s shard of a collated batch under `plan`. */
export function makeShard(batch: DetectorBatch, plan: ShardPlan[number], step: number): FineTuneShard {
  const row = 3 * batch.imageSize * batch.imageSize;
  const n = plan.reduce((a, p) => a + p.count, 0);
  const images = new Float32Array(n * row);
  const groups: ModalityGroup[] = [];
  const targets: FineTuneShard['targets'] = {};
  const modalityWeights: Record<string, number> = {};
  let at = 0;
  for (const p of plan) {
    images.set(batch.images.subarray(p.start * row, (p.start + p.count) * row), at * row);
    const g = batch.groups.find((x) => x.modality === p.modality)!;
    groups.push({ modality: g.modality, start: at, count: p.count });
    targets[p.modality] = batch.targets![g.modality]!.slice(p.start - g.start, p.start - g.start + p.count);
    modalityWeights[p.modality] = p.count / p.total;
    at += p.count;
  }
  return { step, images, imageSize: batch.imageSize, groups, targets, modalityWeights };
}

/** The main detector's weights and buffers as host arrays (a replica's starting point). */
export function hostWeights(detector: MultiModalDetector): Record<string, HostTensor> {
  return Object.fromEntries(Object.entries(detector.stateDict()).map(([k, v]) => [k, toHostTensor(v)]));
}

/** Starts the replicas on this thread's backend (wasm / cpu; wasm for anything else, e.g. webgl). */
export async function startWorkers(workers: number, options: FineTuneReplicaOptions, checkEvery: number): Promise<DataParallel> {
  const ts = import.meta.url.endsWith('.ts');
  const here = tf.getBackend();
  return DataParallel.create({
    workers,
    backend: here === 'cpu' || here === 'tensorflow' ? here : 'wasm',
    replicaModule: new URL(ts ? './fine-tune-replica.ts' : './fine-tune-replica.js', import.meta.url),
    replicaExport: 'createFineTuneReplica',
    options,
    checkEvery,
  });
}

/** Sums the workers' per-loss numbers (each is already weighted by its shard's share). */
export function sumLosses(parts: ReadonlyArray<Record<string, number> | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p ?? {})) if (k !== 'lossScale') out[k] = (out[k] ?? 0) + v;
  return out;
}

/** Copies worker 0's trainable parameters into the main detector's variables. */
export async function pullWeights(dp: DataParallel, detector: MultiModalDetector): Promise<void> {
  const params = await dp.parameters(0);
  tf.tidy(() => {
    for (const [name, v] of detector.namedParameters({ trainableOnly: true })) {
      const data = params.get(name);
      if (!data) throw new Error(`fineTune workers: worker has no parameter "${name}"`);
      v.assign(tf.tensor(data, v.shape, 'float32'));
    }
  });
}

/** Worker 0's optimizer / scaler / rng state as the main thread's tensors. */
export async function pullState(dp: DataParallel): Promise<{ optimizer: { meta: FineTuneReplicaState['optimizer']['meta']; tensors: Record<string, tf.Tensor> }; scaler: FineTuneReplicaState['scaler']; rng: FineTuneReplicaState['rng'] }> {
  const st = (await dp.exportState(0)) as FineTuneReplicaState;
  return { optimizer: { meta: st.optimizer.meta, tensors: Object.fromEntries(Object.entries(st.optimizer.tensors).map(([k, h]) => [k, fromHostTensor(h)])) }, scaler: st.scaler, rng: st.rng };
}

/** The step event of one data-parallel step. */
export function stepEvent(step: number, r: Awaited<ReturnType<DataParallel['stepShards']>>, samples: number, stepMs: number): { event: StepEvent; losses: Record<string, number>; foundInf: boolean } {
  const losses = sumLosses(r.metrics.map((m) => m.grads));
  const a = r.metrics[0].apply ?? {};
  const foundInf = a.foundInf === 1;
  const event: StepEvent = {
    type: 'step',
    step,
    loss: losses.total,
    losses,
    gradNorm: Number.isNaN(a.gradNorm) ? null : a.gradNorm,
    lossScale: r.metrics[0].grads?.lossScale ?? 1,
    overflow: foundInf,
    skipped: a.skipped === 1,
    lr: a.lr,
    stepMs,
    samples,
  };
  return { event, losses, foundInf };
}
