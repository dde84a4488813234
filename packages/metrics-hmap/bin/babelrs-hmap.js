#!/usr/bin/env node
// Launcher of the `babelrs-hmap` command. It is committed (not built) so npm can link the
// command at install time, before the package is built; it runs the built CLI from dist/.
let main;
try {
  ({ main } = await import('../dist/cli.js'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  console.error('babelrs-hmap: @babelrs/metrics-hmap is not built yet (run `npm run build` at the repository root)');
  process.exit(1);
}
process.exitCode = main(process.argv.slice(2));
