// Test helper: a small mini-SOI set generated once into a temp folder (deterministic).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateMiniSoi, type MiniSoiOptions } from '@babelrs/datasets';

/** Generates (or reuses) a mini-SOI folder keyed by the options; returns its root. */
export async function miniSoiFixture(opts: MiniSoiOptions = {}): Promise<string> {
  const key = Buffer.from(JSON.stringify(opts)).toString('base64url').slice(0, 48);
  const root = path.join(os.tmpdir(), `babelrs-detector-test-${process.pid}-${key}`);
  if (!fs.existsSync(root)) await generateMiniSoi(root, { images: { sar: 8, rgb: 8, ir: 8 }, splits: { train: 0.5, val: 0.5 }, ...opts });
  return root;
}
