#!/usr/bin/env node
// Launcher of the `babelrs` command. It is committed (not built) so npm can link the command
// at install time, before the package is built; it runs the built CLI from dist/.
let runCli;
try {
  ({ runCli } = await import('../dist/index.js'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  console.error('babelrs: @babelrs/trainer is not built yet (run `npm run build` at the repository root)');
  process.exit(1);
}
process.exitCode = await runCli(process.argv.slice(2));
