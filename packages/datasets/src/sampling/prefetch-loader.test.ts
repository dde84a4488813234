import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../image/index.js';
import type { DetectionSample, Modality } from '../sample.js';
import type { TransformSpec } from '../transforms/index.js';
import { ModalityBalancedSampler } from './balanced-sampler.js';
import { SequentialSampler } from './sequential-sampler.js';
import { LoaderError } from './load-item.js';
import { PrefetchLoader, type LoadedBatch } from './prefetch-loader.js';

let dir = '';
const samples: DetectionSample[] = [];
const MODS: Modality[] = ['sar', 'sar', 'rgb', 'ir', 'sar', 'rgb', 'ir', 'sar'];
const PIPELINE: TransformSpec[] = [
  { type: 'resizePad', maxSide: 40 },
  { type: 'randomFlip', prob: 0.5, directions: ['horizontal', 'vertical', 'diagonal'] },
  { type: 'photometricJitter' },
];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-loader-'));
  for (let i = 0; i < MODS.length; i++) {
    const channels = MODS[i] === 'rgb' ? 3 : 1;
    const w = 20 + i;
    const h = 16;
    // Pixel value encodes the sample index, so a mixed-up order is visible.
    const data = new Float32Array(channels * w * h).map((_, k) => (i * 30 + (k % 7)) % 256);
    const imagePath = path.join(dir, `img${i}.png`);
    await writeImage(imagePath, { data, width: w, height: h, channels });
    const boxType = MODS[i] === 'sar' ? 'hbb' : 'obb';
    samples.push({
      id: `s${i}`, modality: MODS[i], imagePath, width: w, height: h, boxType,
      boxes: Float64Array.from(boxType === 'hbb' ? [1, 2, 9, 8] : [8, 8, 6, 3, 0.4]),
      labels: Int32Array.of(0), difficult: Uint8Array.of(0),
    });
  }
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function collect(loader: PrefetchLoader, n: number): Promise<LoadedBatch[]> {
  const out: LoadedBatch[] = [];
  try {
    for await (const b of loader) {
      out.push(b);
      if (out.length === n) break;
    }
  } finally {
    await loader.close();
  }
  return out;
}

function summary(bs: LoadedBatch[]) {
  return bs.map((b) => ({ batch: b.batch, indices: b.indices, items: b.items.map((it) => ({ id: it.sample.id, boxes: Array.from(it.sample.boxes), data: Array.from(it.image.data), applied: it.geometry.applied })) }));
}

describe('PrefetchLoader', () => {
  it('delivers decoded, transformed batches in sampler order, identical with 0 or 2 workers', async () => {
    const sampler = () => new ModalityBalancedSampler({ modalities: MODS, seed: 5 });
    const inline = await collect(new PrefetchLoader({ samples, batches: sampler(), pipeline: PIPELINE, seed: 9, workers: 0 }), 6);
    const threaded = await collect(new PrefetchLoader({ samples, batches: sampler(), pipeline: PIPELINE, seed: 9, workers: 2, prefetch: 3 }), 6);
    expect(inline.map((b) => b.batch)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(inline.map((b) => b.indices)).toEqual([...Array(6).keys()].map((b) => sampler().batchAt(b)));
    expect(summary(threaded)).toEqual(summary(inline));
    for (const b of threaded) {
      expect(b.items.map((it) => it.sample.modality)).toEqual(['sar', 'sar', 'rgb', 'ir']);
      for (const it of b.items) {
        expect([it.image.width, it.image.height]).toEqual([40, 40]);
        expect(it.image.data.length).toBe(40 * 40 * (it.sample.modality === 'rgb' ? 3 : 1));
      }
    }
    // Augmentation actually varies between batches.
    expect(new Set(threaded.flatMap((b) => b.items.map((it) => it.geometry.applied.join(',')))).size).toBeGreaterThan(1);
  });

  it('release() recycles image buffers into later batches without changing them, in-process and in workers', async () => {
    const sampler = () => new ModalityBalancedSampler({ modalities: MODS, seed: 3 });
    const reference = summary(await collect(new PrefetchLoader({ samples, batches: sampler(), pipeline: PIPELINE, seed: 2, workers: 0 }), 8));
    for (const workers of [0, 2]) {
      const loader = new PrefetchLoader({ samples, batches: sampler(), pipeline: PIPELINE, seed: 2, workers, prefetch: 2 });
      const got: LoadedBatch[] = [];
      const released = new Set<ArrayBufferLike>();
      let reused = 0;
      for (let b = 0; b < 8; b++) {
        const batch = (await loader.next()).value as LoadedBatch;
        for (const it of batch.items) if (released.has(it.image.data.buffer)) reused++;
        // Copy out (as a trainer would into a tensor), then hand the buffers back.
        got.push({ ...batch, items: batch.items.map((it) => ({ ...it, image: { ...it.image, data: it.image.data.slice() } })) });
        if (workers === 0) for (const it of batch.items) released.add(it.image.data.buffer);
        batch.release();
        batch.release(); // twice: no effect
      }
      await loader.close();
      expect(summary(got)).toEqual(reference);
      // In-process the very same buffers come back (worker threads get them moved to them instead).
      if (workers === 0) expect(reused).toBeGreaterThan(8);
    }
  });

  it('a finite sampler ends the stream; pulls at most `prefetch` batches ahead', async () => {
    let pulled = 0;
    const seq = new SequentialSampler({ size: samples.length, batchSize: 3 });
    const counting = { *[Symbol.iterator]() { for (const b of seq) { pulled++; yield b; } } };
    const loader = new PrefetchLoader({ samples, batches: counting, workers: 1, prefetch: 2 });
    expect(pulled).toBe(2);
    const first = await loader.next();
    expect(first.done).toBe(false);
    expect(pulled).toBeLessThanOrEqual(3);
    const rest: LoadedBatch[] = [];
    for await (const b of loader) rest.push(b);
    expect(rest.map((b) => b.indices)).toEqual([[3, 4, 5], [6, 7]]);
    // Without a pipeline the images come back at their own size.
    expect(rest[1].items[0].image.width).toBe(26);
    await loader.close();
  });

  it('propagates a decode failure with the sample id, from workers and in-process', async () => {
    const broken = [...samples, { ...samples[0], id: 'missing-one', imagePath: path.join(dir, 'nope.png') }];
    for (const workers of [0, 1]) {
      const loader = new PrefetchLoader({ samples: broken, batches: [[0], [8], [1]], workers });
      expect((await loader.next()).value.indices).toEqual([0]);
      await expect(loader.next()).rejects.toThrow(/sample missing-one \(.*nope\.png\)/);
      await loader.close();
    }
  });

  it('a failed batch ends the stream and stops the workers, even when a for-await loop throws', async () => {
    const broken = [...samples, { ...samples[0], id: 'missing-one', imagePath: path.join(dir, 'nope.png') }];
    for (const workers of [0, 2]) {
      const loader = new PrefetchLoader({ samples: broken, batches: [[0], [8], [1], [2]], workers, prefetch: 4 });
      const seen: number[] = [];
      let error: unknown;
      try {
        for await (const b of loader) seen.push(b.batch);
      } catch (err) {
        error = err;
      }
      expect(seen).toEqual([0]);
      expect(error).toBeInstanceOf(LoaderError);
      expect((error as LoaderError).sampleId).toBe('missing-one');
      expect(await loader.next()).toEqual({ done: true, value: undefined });
      // No close() was called by the consumer: the worker threads are already stopped.
      const threads = (loader as unknown as { pool: { all: { threadId: number }[] } | null }).pool?.all ?? [];
      expect(threads.map((w) => w.threadId)).toEqual(workers ? [-1, -1] : []);
    }
  });

  it('close() while a next() is pending makes that next() report done instead of throwing', async () => {
    const loader = new PrefetchLoader({ samples, batches: new ModalityBalancedSampler({ modalities: MODS }), workers: 1 });
    const pending = loader.next();
    await loader.close();
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it('close() stops an infinite stream and later next() calls report done', async () => {
    const loader = new PrefetchLoader({ samples, batches: new ModalityBalancedSampler({ modalities: MODS }), workers: 2 });
    await loader.next();
    await loader.close();
    expect((await loader.next()).done).toBe(true);
    await loader.close();
  });

  it('rejects an out-of-range index and bad options', async () => {
    expect(() => new PrefetchLoader({ samples, batches: [], workers: -1 })).toThrow(/workers must be a non-negative integer/);
    expect(() => new PrefetchLoader({ samples, batches: [], workers: 2, pipeline: [{ type: 'blur' } as never] })).toThrow(/unknown transform type 'blur'/);
    const loader = new PrefetchLoader({ samples, batches: [[99]], workers: 0 });
    await expect(loader.next()).rejects.toThrow(/index 99, dataset has 8 samples/);
    await loader.close();
  });
});
