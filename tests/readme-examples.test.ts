// Every README "prints" block of these examples is what the example prints today (formats and
// metrics-hmap check their own in-package). Each example runs in a child process from the
// TypeScript sources, as the README tells a user to run it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
// What a user sees in a plain terminal log: no colours, even when CI or nx set FORCE_COLOR.
const { FORCE_COLOR: _forceColor, ...plainEnv } = process.env;

const EXAMPLES: Array<[pkg: string, example: string]> = [
  ['boxes', 'quickstart'],
  ['lvsa', 'quickstart'],
  ['lvsa', 'layer-fusion'],
  ['vit-backbone', 'quickstart'],
  ['vit-backbone', 'backbone'],
];

/** The first plain (``` or ```text) fenced block after the README's mention of the example. */
function printedBlock(readme: string, example: string): string {
  const at = readme.indexOf(`examples/${example}.ts`);
  if (at < 0) throw new Error(`README does not mention examples/${example}.ts`);
  for (const m of readme.slice(at).matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)) {
    if (m[1] === '' || m[1] === 'text') return m[2];
  }
  throw new Error(`no output block after examples/${example}.ts`);
}

describe('README examples print what their README shows', () => {
  for (const [pkg, example] of EXAMPLES) {
    it(`${pkg}: examples/${example}.ts`, () => {
      const readme = fs.readFileSync(path.join(root, 'packages', pkg, 'README.md'), 'utf8');
      const out = execFileSync(tsx, ['--conditions=@babelrs/source', `packages/${pkg}/examples/${example}.ts`], {
        cwd: root,
        env: { ...plainEnv, NO_COLOR: '1' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 90_000,
      });
      expect(out).toBe(printedBlock(readme, example));
    }, 120_000);
  }
});
