/**
 * What the commands share: the config flags (--preset, --config, --set, --seed, --backend),
 * their parsing into a validated config, the backend start and the output helpers.
 */
import { Option, type Command } from 'commander';
import { initBackend, type BackendPreference } from '@babelrs/core';
import { loadConfig } from '../config/load-config.js';
import { PRESET_NAMES } from '../config/presets.js';
import { BACKEND_NAMES, type RunConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';

export interface ConfigFlags {
  preset?: string;
  config?: string;
  set?: string[];
  seed?: string;
  backend?: string;
  debug?: boolean;
  quiet?: boolean;
}

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds the config flags to a command. */
export function withConfigFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--preset <name>', `built-in preset: ${PRESET_NAMES.join(' | ')} (default: mini-soi)`).conflicts('config'))
    .addOption(new Option('-c, --config <file>', 'YAML config file (may `extends:` a preset or another file)'))
    .option('--set <key=value>', 'override one config key, value parsed as YAML (repeatable), e.g. --set finetune.steps=200', collect, [])
    .option('--seed <n>', 'seed of data, initialisation and batch order (= --set seed=<n>)')
    .addOption(new Option('--backend <name>', 'tfjs backend (= --set backend=<name>; default: $BABELRS_BACKEND, else auto)').choices(BACKEND_NAMES as unknown as string[]));
}

export function withCommonFlags(cmd: Command): Command {
  return cmd.option('--debug', 'print stack traces of errors').option('-q, --quiet', 'no progress output');
}

/** The validated config of the flags. */
export function configFromFlags(f: ConfigFlags): RunConfig {
  const sets = [...(f.set ?? [])];
  if (f.seed !== undefined) {
    if (!/^\d+$/.test(f.seed.trim())) throw new UsageError(`--seed: expected a non-negative integer, got ${JSON.stringify(f.seed)}`);
    sets.push(`seed=${f.seed.trim()}`);
  }
  if (f.backend !== undefined) sets.push(`backend=${f.backend}`);
  return loadConfig({ ...(f.preset !== undefined ? { preset: f.preset } : {}), ...(f.config !== undefined ? { file: f.config } : {}), sets });
}

export async function startBackend(backend: RunConfig['backend'] | undefined): Promise<string> {
  const report = await initBackend(backend && backend !== 'auto' ? { prefer: backend as BackendPreference } : {});
  return report.summary;
}

export function parsePositiveInt(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text.trim()) || Number(text) <= 0) throw new UsageError(`${flag}: expected a positive integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

export function parseNonNegativeInt(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag}: expected a non-negative integer, got ${JSON.stringify(text)}`);
  return Number(text);
}
