/**
 * Streaming bench (issue 11): a COCO results file larger than V8's 512 MiB string limit
 * (`BENCH_MB`, default 600 MiB) read entry by entry with `scanCocoResults`, keeping only what a
 * consumer keeps (here: a running score sum). Before streaming, `JSON.parse(readFileSync(…))`
 * failed on such a file with ERR_STRING_TOO_LONG. Writes bench/results/formats.json with the
 * read time, throughput and the process's peak RSS (generation writes 1 MiB at a time, so the
 * peak is the reader's).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeBenchResult } from '../../../bench/lib.js';
import { scanCocoResults } from '../src/index.js';

const MB = Number(process.env.BENCH_MB ?? 600);
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'formats-bench-')), 'results.json');

function generate(): { bytes: number; entries: number } {
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  let entries = 0;
  let chunk = '[';
  while (bytes + chunk.length < MB * 1024 * 1024) {
    const e = entries++;
    chunk += `${e ? ',' : ''}{"image_id":${1 + (e % 20000)},"category_id":${1 + (e % 15)},"bbox":[${(e % 997) + 0.25},${(e % 613) + 0.5},${10 + (e % 50)},${12 + (e % 40)}],"score":${((e * 7919) % 10000) / 10000}}\n`;
    if (chunk.length > 1 << 20) {
      bytes += fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  bytes += fs.writeSync(fd, chunk + ']\n');
  fs.closeSync(fd);
  return { bytes, entries };
}

const { bytes, entries } = generate();
const rssBefore = process.resourceUsage().maxRSS / 1024;
const t0 = performance.now();
let sum = 0;
const n = scanCocoResults(file, (r) => {
  sum += r.score;
});
const seconds = (performance.now() - t0) / 1000;
const peakRssMiB = process.resourceUsage().maxRSS / 1024;
// What reading used to do (after the measurement: readFileSync alone holds the whole file).
let stringError = '';
try {
  JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (err) {
  stringError = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}
fs.rmSync(path.dirname(file), { recursive: true, force: true });
if (n !== entries) throw new Error(`read ${n} entries, wrote ${entries}`);
console.log(`${(bytes / 2 ** 20).toFixed(0)} MiB, ${entries} results: ${seconds.toFixed(1)} s (${(bytes / 2 ** 20 / seconds).toFixed(1)} MiB/s), peak RSS ${peakRssMiB.toFixed(0)} MiB; JSON.parse(readFileSync): ${stringError || 'ok'}`);
writeBenchResult('formats', {
  cocoResultsStreaming: {
    fileMiB: Math.round(bytes / 2 ** 20),
    entries,
    seconds: Number(seconds.toFixed(2)),
    mibPerSecond: Number((bytes / 2 ** 20 / seconds).toFixed(1)),
    peakRssMiB: Math.round(peakRssMiB),
    rssBeforeReadMiB: Math.round(rssBefore),
    readFileSyncThenJsonParse: stringError || 'ok',
    scoreSum: Number(sum.toFixed(3)),
  },
  loadavg: os.loadavg(),
  note: 'Measured on a shared 2-core machine with other jobs running (see loadavg): absolute times are noisy.',
});
