#!/usr/bin/env node
// The `babelrs-hmap` bin. `main(argv)` returns the exit code so tests run the CLI in-process;
// the process only runs it when this file is the entry point (also through an npm bin symlink).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from './cli-main.js';

export { main, type CliIo } from './cli-main.js';

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return fs.realpathSync(entry) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = main(process.argv.slice(2));
