/**
 * Decode + normalise throughput (images/s, and CPU ms per image) at 800 px (SOI-Det) and at a
 * small demo size, per file kind: `normalizeImage(decodeImage())` (two passes over a float
 * image) vs `decodeNormalized` (one typed pass); and DOTA tiling throughput on a synthetic
 * 4000×4000 image. Single process, one image at a time.
 * Run through `bench/index.ts` (`npm run bench -w @babelrs/datasets`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, timeRuns } from '../../../bench/lib.js';
import { DEFAULT_NORMALIZATION, decodeImage, decodeNormalized, normalizeImage, splitDotaAnnotations, splitDotaImage, writeImage, type SampleFormat } from '../src/index.js';

interface Kind {
  name: string;
  ext: string;
  channels: number;
  bitDepth: 8 | 16 | 32;
  sampleFormat: SampleFormat;
  modality: 'rgb' | 'sar' | 'ir';
}

const KINDS: Kind[] = [
  { name: 'rgb-png8', ext: '.png', channels: 3, bitDepth: 8, sampleFormat: 'uint', modality: 'rgb' },
  { name: 'rgb-jpeg', ext: '.jpg', channels: 3, bitDepth: 8, sampleFormat: 'uint', modality: 'rgb' },
  { name: 'ir-jpeg-grey', ext: '.jpg', channels: 1, bitDepth: 8, sampleFormat: 'uint', modality: 'ir' },
  { name: 'sar-png16', ext: '.png', channels: 1, bitDepth: 16, sampleFormat: 'uint', modality: 'sar' },
  { name: 'sar-tiff-f32', ext: '.tif', channels: 1, bitDepth: 32, sampleFormat: 'float', modality: 'sar' },
];

/** Deterministic textured test image (smooth pattern + hashed noise, so codecs do real work). */
function texture(size: number, channels: number, max: number): Float32Array {
  const plane = size * size;
  const data = new Float32Array(plane * channels);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < plane; i++) {
      const x = i % size;
      const y = (i / size) | 0;
      const noise = ((Math.imul(i + c * 7919, 2654435761) >>> 0) % 1000) / 1000;
      data[c * plane + i] = max * (0.35 + 0.25 * Math.sin(x / 17 + c) * Math.cos(y / 23) + 0.3 * noise);
    }
  }
  return data;
}

async function decodeThroughput(dir: string, size: number, runs: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const k of KINDS) {
    const file = path.join(dir, `${k.name}-${size}${k.ext}`);
    const max = k.sampleFormat === 'float' ? 1 : k.bitDepth === 16 ? 65535 : 255;
    await writeImage(file, { data: texture(size, k.channels, max), width: size, height: size, channels: k.channels, bitDepth: k.bitDepth, sampleFormat: k.sampleFormat });
    const norm = { ...DEFAULT_NORMALIZATION[k.modality], outChannels: 3 };
    const stepwise = async () => normalizeImage(await decodeImage(file), norm);
    const fused = () => decodeNormalized(file, norm);
    const ms = median(await timeRuns(stepwise, { runs, warmup: 2 }));
    const fusedMs = median(await timeRuns(fused, { runs, warmup: 2 }));
    out[k.name] = {
      size,
      fileKiB: Math.round(fs.statSync(file).size / 1024),
      medianMs: round(ms),
      imagesPerSec: round(1000 / ms),
      cpuMs: round(await cpuMs(stepwise, runs)),
      decodeNormalizedMedianMs: round(fusedMs),
      decodeNormalizedImagesPerSec: round(1000 / fusedMs),
      decodeNormalizedCpuMs: round(await cpuMs(fused, runs)),
    };
  }
  return out;
}

/** Median CPU time (ms, all threads of the process) of one call. */
async function cpuMs(fn: () => Promise<unknown>, runs: number): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    ms.push((c.user + c.system) / 1000);
  }
  return median(ms);
}

/** Random small rotated rectangles (vehicle-sized) over the image, as DOTA polygons. */
function randomObjects(n: number, extent: number): { poly: number[]; className: string; difficult: number }[] {
  let s = 12345;
  const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, () => {
    const cx = 20 + rnd() * (extent - 40);
    const cy = 20 + rnd() * (extent - 40);
    const w = 10 + rnd() * 30;
    const h = 5 + rnd() * 10;
    const t = rnd() * Math.PI;
    const c = Math.cos(t);
    const si = Math.sin(t);
    const poly = [[-1, -1], [1, -1], [1, 1], [-1, 1]].flatMap(([u, v]) => [cx + (c * u * w) / 2 - (si * v * h) / 2, cy + (si * u * w) / 2 + (c * v * h) / 2]);
    return { poly, className: 'small-vehicle', difficult: 0 };
  });
}

async function tilingThroughput(dir: string): Promise<Record<string, unknown>> {
  const size = 4000;
  const objects = randomObjects(5000, size);
  const opts = { size: 800, gap: 200 };
  const annTimes = await timeRuns(() => splitDotaAnnotations('big', objects, size, size, opts), { runs: 7, warmup: 2 });
  const image = path.join(dir, 'big.png');
  await writeImage(image, { data: texture(size, 3, 255), width: size, height: size, channels: 3 });
  const out = path.join(dir, 'split');
  const t0 = performance.now();
  const report = await splitDotaImage(image, objects, out, opts);
  const fullMs = performance.now() - t0;
  return {
    image: `${size}×${size}×3 PNG`,
    objects: objects.length,
    tiles: report.tiles.length,
    tileObjects: report.counts.kept + report.counts.markedDifficult,
    annotationsOnlyMedianMs: round(median(annTimes)),
    annotationsObjectsPerSec: Math.round((objects.length * 1000) / median(annTimes)),
    decodeSplitWriteMs: round(fullMs),
    tilesPerSec: round((report.tiles.length * 1000) / fullMs),
  };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Runs the decode and tiling benchmarks; returns their results (the caller writes them). */
export async function runDecodeTilingBench(): Promise<Record<string, unknown>> {
  const loadAtStart = round(os.loadavg()[0]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-datasets-'));
  try {
    console.log('decode + normalise, 800 px …');
    const decode800 = await decodeThroughput(dir, 800, 10);
    console.log('decode + normalise, 256 px …');
    const decode256 = await decodeThroughput(dir, 256, 30);
    console.log('tiling 4000×4000 …');
    const tiling = await tilingThroughput(dir);
    // The machine is shared: record its load so numbers from a busy run can be recognised.
    return { loadAvg1mAtStart: loadAtStart, decodeNormalize: { '800': decode800, '256': decode256 }, tiling };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
