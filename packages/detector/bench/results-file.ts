// bench/results/detector.json holds one entry per bench; each bench updates its own key (atomically).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@babelrs/datasets';

export const RESULTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'detector.json');

export function readBenchResults(): Record<string, unknown> {
  return fs.existsSync(RESULTS_FILE) ? (JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>) : {};
}

export function updateBenchResults(key: string, value: unknown, suffix = ''): void {
  const all = readBenchResults();
  all[suffix ? `${key}:${suffix}` : key] = value;
  writeFileAtomic(RESULTS_FILE, JSON.stringify(all, null, 2) + '\n');
  console.log(`wrote ${RESULTS_FILE} (${suffix ? `${key}:${suffix}` : key})`);
}
