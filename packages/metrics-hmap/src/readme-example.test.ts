// The README's example is examples/evaluate.ts, and its "prints" block is what it prints.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';

it('README example: same code as examples/evaluate.ts, same printed output', async () => {
  const readme = fs.readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const code = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)![1];
  const example = fs.readFileSync(fileURLToPath(new URL('../examples/evaluate.ts', import.meta.url)), 'utf8');
  expect(example.endsWith(code)).toBe(true);
  const printed = /\) prints\n\n```text\n([\s\S]*?)```/.exec(readme)![1];
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  try {
    await import('../examples/evaluate.js');
  } finally {
    spy.mockRestore();
  }
  expect(lines.join('\n') + '\n').toBe(printed);
});
