// Messages between DataParallel (main thread) and its replica workers.
import type { HostBatch } from './replica.js';

export type ToWorker =
  | { type: 'buffers'; grads: SharedArrayBuffer; params: SharedArrayBuffer; present: SharedArrayBuffer }
  | { type: 'write-params' }
  | { type: 'read-params' }
  | { type: 'grads'; batch: HostBatch; weight: number; payload?: unknown }
  | { type: 'apply' }
  | { type: 'hash' }
  | { type: 'params' }
  | { type: 'memory' }
  | { type: 'export' };

export type ToMain =
  | { type: 'ready'; layout: Array<[string, number[]]> }
  | { type: 'ok'; ms?: number; cpuMs?: number | null; metrics?: Record<string, number> }
  | { type: 'loss'; loss: number; ms: number; cpuMs: number | null; metrics?: Record<string, number> }
  | { type: 'export'; state: unknown }
  | { type: 'hash'; hash: string }
  | { type: 'params'; params: Array<[string, Float32Array]> }
  | { type: 'memory'; numTensors: number; rss: number }
  | { type: 'error'; message: string };
