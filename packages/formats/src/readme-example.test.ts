// The README's "prints" block is what examples/read-formats.ts prints.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';

it('README example output matches what the example prints', async () => {
  const readme = fs.readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const block = /## Example[\s\S]*?```text\n([\s\S]*?)```/.exec(readme);
  expect(block).not.toBeNull();
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  try {
    await import('../examples/read-formats.js');
  } finally {
    spy.mockRestore();
  }
  expect(lines.join('\n') + '\n').toBe(block![1]);
});
