// The worker side of DataParallel: one tfjs backend (wasm by default) per thread with one model
// replica. Per step: gradient of the shard loss, scaled by the shard's weight, written into this
// worker's slot of a SharedArrayBuffer; after every worker has written, each sums all slots in
// the same order (so every replica gets bit-identical gradients) and runs its optimizer.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/init-backend.js';
import { Module } from '../nn/module.js';
import type { BackendPreference } from '../backend/backend-name.js';
import type { HostBatch, Replica, ReplicaFactory } from './replica.js';
import type { ToMain, ToWorker } from './messages.js';
import { threadCpuMs } from './thread-cpu.js';

interface WorkerInit {
  index: number;
  workers: number;
  replicaModule: string;
  replicaExport: string;
  options: unknown;
  backend: BackendPreference;
}

const init = workerData as WorkerInit;
const port = parentPort!;
let replica: Replica;
let params: Array<[string, tf.Variable]> = [];
let offsets: number[] = [];
let total = 0;
let gradSlots: Float32Array | null = null; // [workers, total]
let shared: Float32Array | null = null; // [total]: parameter broadcast
let present: Uint8Array | null = null; // [workers, params]: 1 where that worker's loss reached the parameter

function send(msg: ToMain): void {
  port.postMessage(msg);
}

function trainable(p: Replica['parameters']): Array<[string, tf.Variable]> {
  if (p instanceof Module) return p.namedParameters({ trainableOnly: true });
  if (Array.isArray(p)) return p.map(([n, v]) => [n, v] as [string, tf.Variable]);
  // A Module from another copy of core (e.g. dist vs source): duck-type it.
  const m = p as unknown as { namedParameters?: (o: object) => Array<[string, tf.Variable]> };
  if (typeof m.namedParameters === 'function') return m.namedParameters({ trainableOnly: true });
  throw new TypeError('DataParallel: replica.parameters must be a Module or [name, Variable] pairs');
}

async function setup(): Promise<void> {
  await initBackend({ prefer: init.backend });
  const mod = (await import(init.replicaModule)) as Record<string, unknown>;
  const factory = mod[init.replicaExport] as ReplicaFactory | undefined;
  if (typeof factory !== 'function') throw new Error(`DataParallel: ${init.replicaModule} has no exported function "${init.replicaExport}"`);
  replica = await factory(init.options);
  params = trainable(replica.parameters);
  offsets = [];
  total = 0;
  for (const [, v] of params) {
    offsets.push(total);
    total += v.size;
  }
  send({ type: 'ready', layout: params.map(([n, v]) => [n, v.shape]) });
}

function toTensors(batch: HostBatch): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, a] of Object.entries(batch)) out[name] = tf.tensor(a.data, a.shape, a.data instanceof Int32Array ? 'int32' : 'float32');
  return out;
}

/** Forward + backward on this worker's shard; weighted gradients into this worker's slot. */
function computeGrads(batch: HostBatch, weight: number, payload: unknown): number {
  const inputs = toTensors(batch);
  try {
    const vars = params.map(([, v]) => v);
    const { value, grads } = tf.variableGrads(() => replica.loss(inputs, payload), vars);
    const slot = gradSlots!.subarray(init.index * total, (init.index + 1) * total);
    const reached = present!.subarray(init.index * params.length, (init.index + 1) * params.length);
    params.forEach(([, v], i) => {
      const g = grads[v.name];
      const dst = slot.subarray(offsets[i], offsets[i] + v.size);
      reached[i] = g ? 1 : 0;
      // Not reached by this shard's loss (e.g. the head of a modality the shard lacks): zero.
      if (!g) return void dst.fill(0);
      const data = g.dataSync() as Float32Array;
      for (let j = 0; j < data.length; j++) dst[j] = data[j] * weight;
    });
    const loss = value.dataSync()[0] * weight;
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  } finally {
    tf.dispose(Object.values(inputs));
  }
}

/** Sums every worker's slot (fixed order: identical on every worker) and steps the optimizer. */
function applyGrads(): void {
  const grads: tf.NamedTensorMap = {};
  params.forEach(([, v], i) => {
    // A parameter no worker's loss reached gets no gradient, as in single-process training.
    let reached = false;
    for (let w = 0; w < init.workers; w++) reached ||= present![w * params.length + i] === 1;
    if (!reached) return;
    const sum = new Float32Array(v.size);
    for (let w = 0; w < init.workers; w++) {
      const src = gradSlots!.subarray(w * total + offsets[i], w * total + offsets[i] + v.size);
      for (let j = 0; j < sum.length; j++) sum[j] += src[j];
    }
    grads[v.name] = tf.tensor(sum, v.shape, 'float32');
  });
  try {
    replica.optimizer.step(grads);
  } finally {
    tf.dispose(Object.values(grads));
  }
}

function writeParams(): void {
  params.forEach(([, v], i) => shared!.set(v.dataSync() as Float32Array, offsets[i]));
}

function readParams(): void {
  // tidy: assign keeps the new data; the temporary tensor handle must not outlive it.
  tf.tidy(() => params.forEach(([, v], i) => v.assign(tf.tensor(shared!.subarray(offsets[i], offsets[i] + v.size), v.shape, 'float32'))));
}

/** FNV-1a over the float32 bits of every parameter: equal hashes ⇔ (practically) equal replicas. */
function paramHash(): string {
  let h = 0x811c9dc5;
  for (const [, v] of params) {
    const bits = new Uint32Array((v.dataSync() as Float32Array).slice().buffer);
    for (let j = 0; j < bits.length; j++) h = Math.imul(h ^ bits[j], 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function handle(msg: ToWorker): void {
  switch (msg.type) {
    case 'buffers':
      gradSlots = new Float32Array(msg.grads);
      shared = new Float32Array(msg.params);
      present = new Uint8Array(msg.present);
      send({ type: 'ok' });
      return;
    case 'write-params':
      writeParams();
      send({ type: 'ok' });
      return;
    case 'read-params':
      readParams();
      send({ type: 'ok' });
      return;
    case 'grads': {
      const t0 = performance.now();
      const c0 = threadCpuMs();
      const loss = computeGrads(msg.batch, msg.weight, msg.payload);
      const c1 = threadCpuMs();
      send({ type: 'loss', loss, ms: performance.now() - t0, cpuMs: c0 === null || c1 === null ? null : c1 - c0, metrics: replica.metrics?.() });
      return;
    }
    case 'apply': {
      const t0 = performance.now();
      const c0 = threadCpuMs();
      applyGrads();
      const c1 = threadCpuMs();
      send({ type: 'ok', ms: performance.now() - t0, cpuMs: c0 === null || c1 === null ? null : c1 - c0, metrics: replica.metrics?.() });
      return;
    }
    case 'export':
      if (!replica.exportState) throw new Error(`DataParallel: the replica of ${init.replicaModule} has no exportState()`);
      send({ type: 'export', state: replica.exportState() });
      return;
    case 'hash':
      send({ type: 'hash', hash: paramHash() });
      return;
    case 'params':
      send({ type: 'params', params: params.map(([n, v]) => [n, (v.dataSync() as Float32Array).slice()]) });
      return;
    case 'memory':
      send({ type: 'memory', numTensors: tf.memory().numTensors, rss: process.memoryUsage().rss });
      return;
  }
}

port.on('message', (msg: ToWorker) => {
  try {
    handle(msg);
  } catch (e) {
    send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});

setup().catch((e: unknown) => send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
