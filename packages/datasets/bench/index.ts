/**
 * `npm run bench -w @babelrs/datasets`: runs this package's benchmarks and writes one result
 * file, `bench/results/datasets.json` (repo root), via the shared helpers. Part A: decode +
 * normalise and tiling (`decode-tiling.ts`); part B: the loader (`loader.ts`, when present).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchResult } from '../../../bench/lib.js';
import { runDecodeTilingBench } from './decode-tiling.js';

type BenchFn = () => Promise<Record<string, unknown>>;

/** Loads the loader benchmark if its file exists; it may export `runLoaderBench` or a default function. */
async function loadLoaderBench(): Promise<BenchFn | undefined> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  if (!fs.existsSync(path.join(here, 'loader.ts'))) return undefined;
  const mod = (await import('./loader.js' as string)) as { runLoaderBench?: BenchFn; default?: BenchFn };
  return mod.runLoaderBench ?? mod.default;
}

const results: Record<string, unknown> = { decodeTiling: await runDecodeTilingBench() };
const loader = await loadLoaderBench();
if (loader) results.loader = await loader();
else console.log('bench: bench/loader.ts not present, loader benchmark skipped');
writeBenchResult('datasets', results);
console.log(JSON.stringify(results, null, 2));
