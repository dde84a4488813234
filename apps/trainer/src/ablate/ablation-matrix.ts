/**
 * An ablation is a matrix of config variants: axes of `key=value1,value2` (any config key, values
 * parsed as YAML), their cartesian product run in sequence, one row per variant in one table of
 * per-modality AP50 / mAP, overall mAP and H-mAP (Markdown, CSV, JSON).
 */
import YAML from 'yaml';
import { UsageError } from '../errors.js';
import type { EvalSummary } from '../pipeline/stage-adapter.js';

export interface AblationAxis {
  key: string;
  /** Values as written on the command line (each parsed as YAML by `--set`). */
  values: string[];
}

export interface AblationVariant {
  /** Folder-safe name, e.g. `fusion-lvsa_pretrain-off`. */
  name: string;
  /** `--set` assignments of this variant. */
  sets: string[];
  /** key → value text. */
  settings: Record<string, string>;
}

/** `model.fusion=last,lvsa` → axis. */
export function parseAxis(spec: string, flag = '--axis'): AblationAxis {
  const eq = spec.indexOf('=');
  const key = eq > 0 ? spec.slice(0, eq).trim() : '';
  if (!/^[A-Za-z][\w-]*(\.[A-Za-z][\w-]*)*$/.test(key)) throw new UsageError(`${flag} ${spec}: expected key.path=value1,value2 (e.g. model.fusion=last,lvsa)`);
  const values = splitTopLevel(spec.slice(eq + 1)).map((v) => v.trim());
  if (values.length === 0 || values.some((v) => v === '')) throw new UsageError(`${flag} ${spec}: expected a comma-separated list of values`);
  for (const v of values) {
    try {
      YAML.parse(v);
    } catch {
      throw new UsageError(`${flag} ${spec}: value "${v}" is not valid YAML`);
    }
  }
  if (new Set(values).size !== values.length) throw new UsageError(`${flag} ${spec}: a value appears twice`);
  return { key, values };
}

/** Splits on commas outside brackets, so `model.layers=[1,4],[2,4]` has two values. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[' || ch === '{') depth++;
    if (ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function variantsOf(axes: readonly AblationAxis[]): AblationVariant[] {
  const keys = axes.map((a) => a.key);
  if (new Set(keys).size !== keys.length) throw new UsageError(`ablate: the key ${keys.find((k, i) => keys.indexOf(k) !== i)} is given by two axes`);
  let combos: Array<Record<string, string>> = [{}];
  for (const a of axes) combos = combos.flatMap((c) => a.values.map((v) => ({ ...c, [a.key]: v })));
  return combos.map((settings) => ({
    name: Object.entries(settings).map(([k, v]) => `${k.split('.').at(-1)}-${pretty(v)}`).join('_').replace(/[^\w.-]+/g, '-') || 'base',
    sets: Object.entries(settings).map(([k, v]) => `${k}=${v}`),
    settings,
  }));
}

function pretty(v: string): string {
  return v === 'true' ? 'on' : v === 'false' ? 'off' : v;
}

export interface AblationRow {
  variant: string;
  settings: Record<string, string>;
  evaluation: EvalSummary;
  seconds: number;
}

const MODS = ['sar', 'rgb', 'ir'] as const;

function p(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '' : (100 * v).toFixed(2);
}

export function tableColumns(rows: readonly AblationRow[]): string[] {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.settings)))];
  return ['variant', ...keys, ...MODS.flatMap((m) => [`${m} AP50`, `${m} mAP`]), 'mAP', 'H-mAP', 'seconds'];
}

function rowCells(r: AblationRow, keys: string[]): string[] {
  const e = r.evaluation;
  return [r.variant, ...keys.map((k) => r.settings[k] ?? ''), ...MODS.flatMap((m) => [p(e.perModality[m]?.AP50), p(e.perModality[m]?.mAP)]), p(e.mAP), p(e.hmap), r.seconds.toFixed(1)];
}

export function ablationMarkdown(rows: readonly AblationRow[]): string {
  const cols = tableColumns(rows);
  const keys = cols.slice(1, cols.length - 2 * MODS.length - 3);
  const lines = [`| ${cols.join(' | ')} |`, `|${cols.map((_, i) => (i === 0 || i <= keys.length ? ':---' : '---:')).join('|')}|`];
  for (const r of rows) lines.push(`| ${rowCells(r, keys).join(' | ')} |`);
  return `${lines.join('\n')}\n\nAP in %: SAR COCO mAP@[.5:.95] (HBB), RGB / IR rotated mAP@[.5:.95]; H-mAP = harmonic mean of the per-modality mAPs.\n`;
}

export function ablationCsv(rows: readonly AblationRow[]): string {
  const cols = tableColumns(rows);
  const keys = cols.slice(1, cols.length - 2 * MODS.length - 3);
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return `${[cols, ...rows.map((r) => rowCells(r, keys))].map((cells) => cells.map(q).join(',')).join('\n')}\n`;
}
