// One tsup setup for every package: ESM + CJS + .d.ts for Node 20. Packages with a command
// (`babelrs`, `babelrs-hmap`) also build `src/cli.ts`.
import { defineConfig } from 'tsup';

export function packageBuildConfig(opts: { cli?: boolean } = {}) {
  return defineConfig({
    entry: opts.cli ? { index: 'src/index.ts', cli: 'src/cli.ts' } : { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    // ESM sources use import.meta.url (wasm paths, workers, fixtures); shims make the CJS build work.
    shims: true,
    target: 'node20',
    platform: 'node',
  });
}
