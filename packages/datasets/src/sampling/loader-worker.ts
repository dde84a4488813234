/**
 * Worker-thread side of the prefetching loader, and how to start one.
 *
 * The worker runs this very module: from the built package that is the bundle itself
 * (`dist/index.js` or `.cjs`, whose top level starts the worker loop when it sees the flag in
 * `workerData`); from TypeScript source (tests, `tsx`) a tiny bootstrap registers tsx's loader
 * inside the worker first, because Node 20 workers do not inherit `--import` hooks.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { DetectionSample } from '../sample.js';
import { buildPipeline, type TransformItem, type TransformSpec } from '../transforms/index.js';
import { CanvasPool } from './canvas-pool.js';
import { LoaderError, loadBatchItems } from './load-item.js';

const WORKER_FLAG = 'babelrsLoaderWorker';

export interface LoaderWorkerInit {
  pipeline: readonly TransformSpec[];
  /** Fused pipeline pass when possible (default true). */
  fused?: boolean;
}

export interface LoaderJob {
  type: 'job';
  jobId: number;
  samples: DetectionSample[];
  seeds: number[];
  /** Released canvases moved to this worker for reuse (see CanvasPool). */
  spare?: ArrayBuffer[];
}

export type LoaderReply =
  | { type: 'result'; jobId: number; items: TransformItem[]; spare: ArrayBuffer[] }
  | { type: 'error'; jobId: number; sampleId: string; imagePath: string; reason: string; spare: ArrayBuffer[] };

/** Starts one loader worker thread running `init.pipeline`. */
export function spawnLoaderWorker(init: LoaderWorkerInit): Worker {
  const self = import.meta.url;
  const data = { [WORKER_FLAG]: true, init };
  if (!self.endsWith('.ts')) {
    // Workers inherit the parent's flags; `--input-type` (node -e scripts) is refused for a file entry.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    return new Worker(fileURLToPath(self), { workerData: data, execArgv });
  }
  const tsxApi = tsxEsmApiUrl(self);
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(self)}); });`;
  // Source mode: workspace packages must resolve to their TypeScript source as in the parent.
  return new Worker(bootstrap, { eval: true, workerData: data, execArgv: ['--conditions=@babelrs/source'] });
}

/**
 * URL of tsx's ESM register API. Resolved through tsx's package.json `exports` by hand: a
 * `require.resolve` would pick the CJS build, which breaks when the parent itself runs under tsx.
 */
function tsxEsmApiUrl(from: string): string {
  const req = createRequire(from);
  const pkgFile = req.resolve('tsx/package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { exports?: Record<string, { import?: { default?: string } }> };
  const rel = pkg.exports?.['./esm/api']?.import?.default;
  if (!rel) throw new Error(`PrefetchLoader: cannot find tsx's ESM API in ${pkgFile} (needed to run workers from TypeScript source)`);
  return pathToFileURL(path.join(path.dirname(pkgFile), rel)).href;
}

function runLoaderWorker(init: LoaderWorkerInit): void {
  const port = parentPort;
  if (!port) return;
  const pipeline = buildPipeline(init.pipeline);
  port.on('message', async (job: LoaderJob) => {
    // The job's spare canvases; those of a size this job did not need go back with the reply.
    const canvases = new CanvasPool(job.spare?.length ?? 0);
    for (const buf of job.spare ?? []) canvases.give(buf);
    try {
      const items = await loadBatchItems(job.samples, pipeline, job.seeds, { fused: init.fused ?? true, allocate: canvases.take });
      const spare = canvases.drain(canvases.size);
      const reply: LoaderReply = { type: 'result', jobId: job.jobId, items, spare };
      port.postMessage(reply, [...transferables(items), ...spare]);
    } catch (err) {
      const e = err instanceof LoaderError ? err : new LoaderError('?', '?', String(err));
      const spare = canvases.drain(canvases.size);
      const reply: LoaderReply = { type: 'error', jobId: job.jobId, sampleId: e.sampleId, imagePath: e.imagePath, reason: e.reason, spare };
      port.postMessage(reply, spare);
    }
  });
}

/** Pixel buffers the items own outright are moved, not copied; views into shared buffers are copied. */
function transferables(items: readonly TransformItem[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const { image } of items) {
    const buf = image.data.buffer;
    if (buf instanceof ArrayBuffer && image.data.byteOffset === 0 && image.data.byteLength === buf.byteLength) out.add(buf);
  }
  return [...out];
}

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_FLAG]) {
  runLoaderWorker((workerData as { init: LoaderWorkerInit }).init);
}
