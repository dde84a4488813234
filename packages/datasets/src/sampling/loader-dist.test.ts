// The loader's worker threads must also start from the *built* JavaScript (where the worker
// runs the bundle itself), not only from TypeScript source. Bundle the package with esbuild
// (what tsup uses) into a scratch folder and run a threaded loader from it in a plain `node`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeImage } from '../image/index.js';
import type { DetectionSample } from '../sample.js';
import { PrefetchLoader } from './prefetch-loader.js';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Inside the package so that `sharp` resolves from the bundle as it would from dist/.
const scratch = path.join(pkgDir, '.tmp', `loader-dist-${process.pid}`);

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
  // Remove `.tmp/` too when nothing else is in it.
  if (fs.existsSync(path.dirname(scratch)) && fs.readdirSync(path.dirname(scratch)).length === 0) fs.rmdirSync(path.dirname(scratch));
});

describe('PrefetchLoader from a built bundle', () => {
  it('starts worker threads from the bundle and gives the same batches as the source', async () => {
    const { build } = await import('esbuild');
    const bundle = path.join(scratch, 'index.js');
    await build({
      entryPoints: [path.join(pkgDir, 'src/index.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outfile: bundle,
      conditions: ['@babelrs/source'],
      // As tsup does: dependencies stay external (write-file-atomic is CommonJS and cannot be bundled into ESM).
      external: ['sharp', 'geotiff', 'write-file-atomic', 'zod', 'fast-xml-parser', '@streamparser/json'],
      logLevel: 'silent',
    });
    const samples: DetectionSample[] = [];
    for (let i = 0; i < 3; i++) {
      const imagePath = path.join(scratch, `im${i}.png`);
      await writeImage(imagePath, { data: new Float32Array(3 * 12 * 10).map((_, k) => (k * 13 + i * 50) % 256), width: 12, height: 10, channels: 3 });
      samples.push({ id: `d${i}`, modality: 'rgb', imagePath, width: 12, height: 10, boxType: 'obb', boxes: Float64Array.of(6, 5, 4, 2, 0.2), labels: Int32Array.of(1), difficult: Uint8Array.of(0) });
    }
    const opts = { batches: [[0, 1], [2, 0], [1, 2]], pipeline: [{ type: 'resizePad', maxSide: 24 }, { type: 'randomFlip', prob: 0.5, directions: ['horizontal', 'vertical'] }], seed: 4 };
    const script = `
      import { PrefetchLoader } from ${JSON.stringify(pathToFileURL(bundle).href)};
      const samples = ${JSON.stringify(samples.map((s) => ({ ...s, boxes: Array.from(s.boxes), labels: [1], difficult: [0] })))}
        .map((s) => ({ ...s, boxes: Float64Array.from(s.boxes), labels: Int32Array.from(s.labels), difficult: Uint8Array.from(s.difficult) }));
      const loader = new PrefetchLoader({ samples, workers: 2, ...${JSON.stringify(opts)} });
      const out = [];
      for await (const b of loader) out.push(b.items.map((it) => [it.sample.id, Array.from(it.sample.boxes), Array.from(it.image.data)]));
      await loader.close();
      process.stdout.write(JSON.stringify(out));`;
    const fromBundle = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: scratch, encoding: 'utf8' }));
    const loader = new PrefetchLoader({ samples, workers: 0, ...(opts as { batches: number[][]; pipeline: never; seed: number }) });
    const fromSource: unknown[] = [];
    for await (const b of loader) fromSource.push(b.items.map((it) => [it.sample.id, Array.from(it.sample.boxes), Array.from(it.image.data)]));
    expect(fromBundle).toHaveLength(3);
    expect(fromBundle).toEqual(fromSource);
  });
});
