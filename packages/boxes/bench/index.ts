// Benchmark of @babelrs/boxes: pairwise rotated IoU throughput (sparse scene = most pairs
// rejected by the bounding-box pre-check; dense = every pair clipped) and rotated NMS time.
// Run: npm run bench -w @babelrs/boxes  → bench/results/boxes.json (repo root).
import { hbbIoU, obbToHbb, polyIoU, obbToPoly, rotatedIoU, rotatedNms } from '@babelrs/boxes';
import { median, timeRuns, writeBenchResult } from '../../../bench/lib.js';

/** Deterministic LCG so every run measures the same boxes. */
function makeRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** N×5 OBBs: `spread` px scene, sides 8–60 px, any angle. */
function randomObbs(n: number, spread: number, seed: number): Float64Array {
  const r = makeRandom(seed);
  const out = new Float64Array(n * 5);
  for (let i = 0; i < n; i++) {
    out.set([r() * spread, r() * spread, 8 + r() * 52, 8 + r() * 52, (r() - 0.5) * 2 * Math.PI], i * 5);
  }
  return out;
}

/** Detector-like output: clusters of jittered boxes around `n / 10` objects. */
function clusteredObbs(n: number, seed: number): { boxes: Float64Array; scores: Float64Array } {
  const r = makeRandom(seed);
  const objects = randomObbs(Math.max(1, Math.ceil(n / 10)), 800, seed + 1);
  const boxes = new Float64Array(n * 5);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = (i % (objects.length / 5)) * 5;
    boxes.set([objects[o] + (r() - 0.5) * 6, objects[o + 1] + (r() - 0.5) * 6, objects[o + 2] * (0.9 + 0.2 * r()),
      objects[o + 3] * (0.9 + 0.2 * r()), objects[o + 4] + (r() - 0.5) * 0.2], i * 5);
    scores[i] = r();
  }
  return { boxes, scores };
}

async function pairThroughput(name: string, a: Float64Array, b: Float64Array, fn: (a: Float64Array, b: Float64Array) => Float64Array) {
  const pairs = (a.length / 5) * (b.length / 5);
  const runs = await timeRuns(() => fn(a, b), { runs: 5, warmup: 1 });
  const ms = median(runs);
  const result = { name, pairs, medianMs: +ms.toFixed(3), pairsPerSec: Math.round(pairs / (ms / 1000)), runsMs: runs.map((t) => +t.toFixed(3)) };
  console.log(`${name}: ${pairs} pairs in ${ms.toFixed(1)} ms → ${(result.pairsPerSec / 1e6).toFixed(2)} M pairs/s`);
  return result;
}

async function main(): Promise<void> {
  const sparseA = randomObbs(1000, 800, 1), sparseB = randomObbs(1000, 800, 2);
  // Dense: every box centred within 10 px of (400, 400), so all pairs overlap and get clipped.
  const denseA = randomObbs(500, 10, 3).map((v, k) => (k % 5 < 2 ? v + 395 : v));
  const denseB = randomObbs(500, 10, 4).map((v, k) => (k % 5 < 2 ? v + 395 : v));
  const iou = [
    await pairThroughput('rotatedIoU sparse 1000×1000 (800 px scene)', sparseA, sparseB, (a, b) => rotatedIoU(a, b)),
    await pairThroughput('rotatedIoU dense 500×500 (all overlap)', denseA, denseB, (a, b) => rotatedIoU(a, b)),
    await pairThroughput('polyIoU dense 500×500 (all overlap)', denseA, denseB, (a, b) => polyIoU(obbToPoly(a), obbToPoly(b))),
    await pairThroughput('hbbIoU 1000×1000', sparseA, sparseB, (a, b) => hbbIoU(obbToHbb(a), obbToHbb(b))),
  ];
  const nmsResults = [];
  for (const n of [100, 1000, 5000]) {
    const { boxes, scores } = clusteredObbs(n, 10 + n);
    let kept = 0;
    const runs = await timeRuns(() => { kept = rotatedNms(boxes, scores, 0.1).length; }, { runs: n >= 5000 ? 3 : 5, warmup: 1 });
    const ms = median(runs);
    console.log(`rotatedNms N=${n} (clusters of 10, iouThr 0.1): ${ms.toFixed(2)} ms, kept ${kept}`);
    nmsResults.push({ n, iouThr: 0.1, kept, medianMs: +ms.toFixed(3), runsMs: runs.map((t) => +t.toFixed(3)) });
  }
  writeBenchResult('boxes', { pairwiseIoU: iou, rotatedNms: nmsResults });
}

await main();
