// Every README "prints" block of these examples is what the example prints today (formats and
// metrics-hmap check their own in-package). Each example runs in a child process from the
// TypeScript sources, as the README tells a user to run it. The examples are seeded and write
// only to temporary folders they remove, so their output is compared byte for byte: no masking.
// (core's examples/mlp-replica.ts is not run alone: it is the replica module data-parallel.ts loads.)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
// What a user sees in a plain terminal log: no colours, even when CI or nx set FORCE_COLOR.
const { FORCE_COLOR: _forceColor, ...plainEnv } = process.env;

// [folder of the package or app, example name]: runs `<folder>/examples/<name>.ts`, reads `<folder>/README.md`.
const EXAMPLES: Array<[dir: string, example: string]> = [
  ['packages/boxes', 'quickstart'],
  ['packages/core', 'data-parallel'],
  ['packages/csia', 'quickstart'],
  ['packages/csia', 'pretrain-tiny'],
  ['packages/det-heads', 'quickstart'],
  ['packages/det-heads', 'train-heads'],
  ['packages/det-heads', 'oriented-rcnn'],
  ['packages/detector', 'train-and-evaluate'],
  ['packages/lvsa', 'quickstart'],
  ['packages/lvsa', 'layer-fusion'],
  ['packages/vit-backbone', 'quickstart'],
  ['packages/vit-backbone', 'backbone'],
  ['apps/trainer', 'configs'],
];

/**
 * The printed output a README shows for an example: the first plain (``` or ```text) fenced
 * block that follows a mention of `examples/<name>.ts` within the same section (before the next
 * heading), taking the first mention that has one — a README may name an example in passing
 * elsewhere (core does, in its API notes). Code blocks (```ts, ```sh) in between are skipped.
 */
function printedBlock(readme: string, example: string): string {
  const name = `examples/${example}.ts`;
  const fences = [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].map((m) => ({ start: m.index, end: m.index + m[0].length, lang: m[1], body: m[2] }));
  const inFence = (at: number) => fences.some((f) => at > f.start && at < f.end);
  const headings = [...readme.matchAll(/^#{1,6} /gm)].map((m) => m.index).filter((at) => !inFence(at));
  let mentions = 0;
  for (let at = readme.indexOf(name); at >= 0; at = readme.indexOf(name, at + name.length)) {
    mentions++;
    const sectionEnd = headings.find((h) => h > at) ?? readme.length;
    const block = fences.find((f) => f.start > at && f.start < sectionEnd && (f.lang === '' || f.lang === 'text'));
    if (block) return block.body;
  }
  throw new Error(mentions === 0 ? `README does not mention ${name}` : `no output block after a mention of ${name} in its section`);
}

describe('printedBlock finds the output a README shows for an example', () => {
  const readme = [
    '# pkg',
    'Workers run `examples/a.ts` too.',
    '```ts',
    'api();',
    '```',
    '## Example: a',
    '`examples/a.ts`, from the repo root:',
    '```sh',
    '# a comment, not a heading',
    'npx tsx examples/a.ts',
    '```',
    '```text',
    'a prints this',
    '```',
    '## Example: b — `examples/b.ts`',
    '## Later',
    '```',
    'not b',
    '```',
    '',
  ].join('\n');

  it('skips a passing mention and code blocks, stays in the section', () => {
    expect(printedBlock(readme, 'a')).toBe('a prints this\n');
    expect(() => printedBlock(readme, 'b')).toThrow('no output block after a mention of examples/b.ts in its section');
    expect(() => printedBlock(readme, 'c')).toThrow('README does not mention examples/c.ts');
  });
});

describe('README examples print what their README shows', () => {
  for (const [dir, example] of EXAMPLES) {
    it(`${dir}: examples/${example}.ts`, () => {
      const readme = fs.readFileSync(path.join(root, dir, 'README.md'), 'utf8');
      const run = spawnSync(tsx, ['--conditions=@babelrs/source', `${dir}/examples/${example}.ts`], {
        cwd: root,
        env: { ...plainEnv, NO_COLOR: '1' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 90_000,
      });
      // stderr (tfjs banners, warnings) is not part of the comparison; shown only on a failure.
      expect(run.error, run.error?.message).toBeUndefined();
      expect(run.status, `exit ${run.status} ${run.signal ?? ''}\n${run.stderr.slice(-2000)}`).toBe(0);
      expect(run.stdout).toBe(printedBlock(readme, example));
    }, 120_000);
  }
});
