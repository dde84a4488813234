// Shared vitest settings: resolve workspace packages to their TypeScript source (the
// `@babelrs/source` export condition), so tests never need a build first.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Packages that depend on tfjs get a setup file that silences tfjs's cpu banner (see the file). */
function usesTfjs(dir: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    return '@tensorflow/tfjs' in (pkg.dependencies ?? {});
  } catch {
    return false;
  }
}
const tfjsSetup = path.join(path.dirname(fileURLToPath(import.meta.url)), 'vitest.setup-tfjs.ts');

export function packageTestConfig(opts: { testTimeoutMs?: number } = {}) {
  return defineConfig({
    resolve: { conditions: ['@babelrs/source', 'import', 'module', 'node', 'default'] },
    ssr: { resolve: { conditions: ['@babelrs/source', 'import', 'node', 'default'] } },
    test: {
      include: ['src/**/*.test.ts', '*.test.ts', '**/*.test.ts'],
      exclude: ['**/node_modules/**', '**/dist/**'],
      testTimeout: opts.testTimeoutMs ?? 60_000,
      hookTimeout: 60_000,
      setupFiles: usesTfjs(process.cwd()) ? [tfjsSetup] : [],
      pool: 'forks',
      // 2-core machine: nx already runs projects in parallel.
      maxWorkers: 2,
    },
  });
}
