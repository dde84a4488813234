/**
 * Resolves a run configuration: a preset or a YAML file (which may `extends:` a preset or another
 * YAML file, relative to itself), deep-merged (objects merge, arrays and scalars replace), then
 * `--set a.b=c` overrides (values parsed as YAML: `--set finetune.lr=1e-4`, `--set model.layers=[1,4]`),
 * then validated by the zod schema. Errors name the source (file, preset or flag) and the key
 * path: `my.yaml: finetune.lr: expected number, received string`.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { InputError, UsageError } from '../errors.js';
import { DEFAULT_PRESET, PRESETS, PRESET_NAMES } from './presets.js';
import { runConfigSchema, type RunConfig } from './schema.js';

export interface ConfigSource {
  /** Built-in preset name (default `mini-soi` when no file is given). */
  preset?: string;
  /** YAML config file. */
  file?: string;
  /** `a.b=c` overrides, applied in order. */
  sets?: readonly string[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** Where each leaf value came from, by dotted key path (for error messages). */
type Origins = Map<string, string>;

export function loadConfig(src: ConfigSource = {}): RunConfig {
  if (src.preset !== undefined && src.file !== undefined) throw new UsageError('--preset and --config: give one of them (a config file chooses its preset with `extends:`)');
  const origins: Origins = new Map();
  const base = src.file !== undefined ? readConfigFile(path.resolve(src.file), origins, []) : presetObject(src.preset ?? DEFAULT_PRESET, '--preset', origins);
  for (const s of src.sets ?? []) applySet(base, s, origins);
  return validate(base, origins);
}

/** The config as plain JSON (what `config.yaml` in a run folder holds). */
export function configToYaml(config: RunConfig): string {
  return `# resolved babelrs config (complete: extends nothing)\n${YAML.stringify({ extends: 'none', ...config }, { lineWidth: 0 })}`;
}

function presetObject(name: string, where: string, origins: Origins): JsonObject {
  const preset = PRESETS[name];
  if (preset === undefined) {
    throw new (where === '--preset' ? UsageError : InputError)(`${where}: unknown preset "${name}" (expected one of ${PRESET_NAMES.join(', ')})`);
  }
  const obj = structuredClone(preset) as unknown as JsonObject;
  recordOrigins(obj, '', `preset ${name}`, origins);
  return obj;
}

function readConfigFile(file: string, origins: Origins, chain: string[]): JsonObject {
  if (chain.includes(file)) throw new InputError(`${file}: extends cycle (${[...chain, file].map((f) => path.basename(f)).join(' → ')})`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${file}: cannot read config file (${code === 'ENOENT' ? 'no such file' : code})`);
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0];
    throw new InputError(`${file}${line ? `:${line.line}:${line.col}` : ''}: invalid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const raw = doc.toJS() as unknown;
  if (raw === null || raw === undefined) throw new InputError(`${file}: the config file is empty`);
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(`${file}: expected a mapping of config keys at the top level`);
  const obj = raw as JsonObject;
  const ext = obj.extends;
  delete obj.extends;
  let base: JsonObject;
  if (ext === undefined) base = presetObject(DEFAULT_PRESET, `${file}: extends`, origins);
  else if (ext === 'none') base = {}; // a complete config (what a run folder's config.yaml holds)
  else if (typeof ext !== 'string' || ext === '') throw new InputError(`${file}: extends: expected a preset name or a path to a YAML file`);
  else if (PRESETS[ext] !== undefined) base = presetObject(ext, `${file}: extends`, origins);
  else if (/\.ya?ml$/i.test(ext)) base = readConfigFile(path.resolve(path.dirname(file), ext), origins, [...chain, file]);
  else throw new InputError(`${file}: extends: "${ext}" is neither a preset (${PRESET_NAMES.join(', ')}) nor a .yaml file`);
  recordOrigins(obj, '', file, origins);
  return deepMerge(base, obj);
}

function deepMerge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function recordOrigins(obj: Json, prefix: string, source: string, origins: Origins): void {
  if (isObject(obj)) for (const [k, v] of Object.entries(obj)) recordOrigins(v, prefix ? `${prefix}.${k}` : k, source, origins);
  else origins.set(prefix, source);
}

/** `a.b.c=value`: value parsed as YAML (numbers, booleans, `[1, 2]`, quoted strings). */
function applySet(target: JsonObject, assignment: string, origins: Origins): void {
  const eq = assignment.indexOf('=');
  const key = eq > 0 ? assignment.slice(0, eq).trim() : '';
  if (!/^[A-Za-z][\w-]*(\.[A-Za-z][\w-]*)*$/.test(key)) throw new UsageError(`--set ${assignment}: expected key.path=value (e.g. finetune.lr=1e-4)`);
  let value: Json;
  try {
    value = YAML.parse(assignment.slice(eq + 1)) as Json;
  } catch (err) {
    throw new UsageError(`--set ${assignment}: the value is not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  const parts = key.split('.');
  let obj = target;
  for (const p of parts.slice(0, -1)) {
    if (!isObject(obj[p])) obj[p] = {};
    obj = obj[p] as JsonObject;
  }
  obj[parts[parts.length - 1]] = value ?? null;
  recordOrigins(value ?? null, key, `--set ${key}`, origins);
}

function validate(obj: JsonObject, origins: Origins): RunConfig {
  const parsed = runConfigSchema.safeParse(obj);
  if (!parsed.success) throw configError(parsed.error.issues[0], origins);
  const config = parsed.data;
  const depthCheck = config.model.layers;
  if ([...depthCheck].sort((a, b) => a - b).some((v, i, a) => i > 0 && v === a[i - 1])) {
    throw errorAt('model.layers', `expected distinct block numbers, got [${depthCheck.join(', ')}]`, origins);
  }
  const r = config.finetune.ratios;
  const sum = r.sar + r.rgb + r.ir;
  if (sum === 0) throw errorAt('finetune.ratios', 'at least one modality needs a ratio > 0', origins);
  if (config.finetune.batch % sum !== 0) throw errorAt('finetune.batch', `must be a multiple of the ratio sum ${sum} (SAR:RGB:IR = ${r.sar}:${r.rgb}:${r.ir}), got ${config.finetune.batch}`, origins);
  if (config.data.kind === 'mini-soi' && config.data.synthetic === undefined) throw errorAt('data.synthetic', 'required when data.kind is mini-soi', origins);
  return config;
}

function configError(issue: z.core.$ZodIssue, origins: Origins): Error {
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = at ? `${at}.${issue.keys[0]}` : issue.keys[0];
    const allowed = allowedKeys(issue.path.map(String));
    return errorAt(key, `unknown key${allowed ? ` (expected one of ${allowed})` : ''}`, origins);
  }
  return errorAt(at || '(top level)', issue.message.replace(/^Invalid input: /, ''), origins);
}

/** Usage error when the key came from `--set`, input error naming the file otherwise. */
function errorAt(key: string, what: string, origins: Origins): Error {
  let source = origins.get(key);
  if (source === undefined) for (const [k, v] of origins) if (k.startsWith(`${key}.`)) source = v;
  // an element of a value set as a whole (`--set model.neckScales=[3]` → model.neckScales.0)
  for (let k = key; source === undefined && k.includes('.'); ) {
    k = k.slice(0, k.lastIndexOf('.'));
    source = origins.get(k);
  }
  source ??= 'config';
  return source.startsWith('--set') ? new UsageError(`${source}: ${key}: ${what}`) : new InputError(`${source}: ${key}: ${what}`);
}

function allowedKeys(at: string[]): string | undefined {
  let s: unknown = runConfigSchema;
  for (const p of at) {
    s = unwrap(s);
    const shape = (s as { shape?: Record<string, unknown> }).shape;
    if (!shape || !(p in shape)) return undefined;
    s = shape[p];
  }
  const shape = (unwrap(s) as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape).join(', ') : undefined;
}

function unwrap(s: unknown): unknown {
  let cur = s as { unwrap?: () => unknown };
  while (typeof cur.unwrap === 'function') cur = cur.unwrap() as { unwrap?: () => unknown };
  return cur;
}
