// Shared vitest settings: resolve workspace packages to their TypeScript source (the
// `@babelrs/source` export condition), so tests never need a build first.
import { defineConfig } from 'vitest/config';

export function packageTestConfig(opts: { testTimeoutMs?: number } = {}) {
  return defineConfig({
    resolve: { conditions: ['@babelrs/source', 'import', 'module', 'node', 'default'] },
    ssr: { resolve: { conditions: ['@babelrs/source', 'import', 'node', 'default'] } },
    test: {
      include: ['src/**/*.test.ts', '*.test.ts', '**/*.test.ts'],
      exclude: ['**/node_modules/**', '**/dist/**'],
      testTimeout: opts.testTimeoutMs ?? 60_000,
      hookTimeout: 60_000,
      pool: 'forks',
      // 2-core machine: nx already runs projects in parallel.
      maxWorkers: 2,
    },
  });
}
