#!/usr/bin/env node
// The `babelrs` command. All logic (and the error boundary) lives in main.ts so tests can run it in-process.
import { runCli } from './main.js';

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
