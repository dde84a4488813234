// Hugging Face checkpoint loading: single or sharded safetensors (model.safetensors.index.json),
// key maps for plain Qwen2 files and for InternVL's combined file (`language_model.model.*`,
// `language_model.lm_head.weight`, `vision_model.*`, `mlp1.*`). Checks every key and shape from
// the headers first: a missing, unexpected or misshaped key is ONE error naming all of them, and
// nothing is loaded. BF16/F16 tensors become float32 exactly (core's reader).
import fs from 'node:fs';
import path from 'node:path';
import { type LoadStateDictReport, type Module, SafetensorsFile, StateDictError, isClean } from '@babelrs/core';
import * as tf from '@tensorflow/tfjs';
import { CsiaInputError } from '../errors.js';
import { readQwen2Config } from './qwen2-config.js';
import { Qwen2ForCausalLM } from './qwen2-model.js';

/** Checkpoint key → this module's parameter name, or null to skip the key. */
export type KeyMap = (key: string) => string | null;

/** The safetensors files of a model folder (sharded via model.safetensors.index.json, or one file). */
export function safetensorsFilesOf(dirOrFile: string): string[] {
  if (!fs.existsSync(dirOrFile)) throw new CsiaInputError(`${dirOrFile}: no such file or folder`);
  if (!fs.statSync(dirOrFile).isDirectory()) return [dirOrFile];
  const index = path.join(dirOrFile, 'model.safetensors.index.json');
  if (fs.existsSync(index)) {
    let weightMap: Record<string, string>;
    try {
      weightMap = JSON.parse(fs.readFileSync(index, 'utf8')).weight_map;
    } catch (e) {
      throw new CsiaInputError(`${index}: ${(e as Error).message}`);
    }
    if (!weightMap || typeof weightMap !== 'object') throw new CsiaInputError(`${index}: no "weight_map" object`);
    return [...new Set(Object.values(weightMap))].map((f) => path.join(dirOrFile, f));
  }
  const single = path.join(dirOrFile, 'model.safetensors');
  if (fs.existsSync(single)) return [single];
  throw new CsiaInputError(`${dirOrFile}: neither model.safetensors nor model.safetensors.index.json`);
}

/**
 * Loads tensors from several safetensors files into `module` by (mapped) name. Strict by default:
 * every parameter must be present with its shape and no mapped key may be unknown.
 */
export function loadSafetensorsShards(module: Module, files: readonly string[], opts: { keyMap?: KeyMap; strict?: boolean } = {}): LoadStateDictReport {
  const opened = files.map((f) => SafetensorsFile.open(f));
  try {
    const source = new Map<string, { file: SafetensorsFile; key: string }>();
    const shapes: Record<string, number[]> = {};
    for (const file of opened) {
      for (const key of file.keys()) {
        const name = opts.keyMap ? opts.keyMap(key) : key;
        if (name === null) continue;
        const prev = source.get(name);
        if (prev) throw new CsiaInputError(`${file.path}: key "${key}" maps to "${name}", already given by "${prev.key}" in ${prev.file.path}`);
        source.set(name, { file, key });
        shapes[name] = file.info(key).shape;
      }
    }
    const report = module.checkStateDict(shapes);
    if ((opts.strict ?? true) && !isClean(report)) throw new StateDictError(`${module.constructor.name} from ${files.join(', ')}`, report);
    const params = module.stateDict();
    for (const name of report.loaded) {
      const { file, key } = source.get(name)!;
      const t = file.readTensor(key);
      try {
        tf.tidy(() => params[name].assign(t.dtype === params[name].dtype ? t : tf.cast(t, params[name].dtype)));
      } finally {
        t.dispose();
      }
    }
    return report;
  } finally {
    for (const f of opened) f.close();
  }
}

/**
 * Key map for a Qwen2 LM inside a checkpoint: keeps keys under `prefix` ('' for a plain
 * Qwen2 file, 'language_model.' for InternVL) with the prefix removed; with tied embeddings a
 * stored `lm_head.weight` (some exporters write it) is skipped.
 */
export function qwen2KeyMap(opts: { prefix?: string; tied: boolean }): KeyMap {
  const prefix = opts.prefix ?? '';
  return (key) => {
    if (!key.startsWith(prefix)) return null;
    const name = key.slice(prefix.length);
    if (opts.tied && name === 'lm_head.weight') return null;
    // Rotary inverse frequencies are recomputed from rope_theta; older exports store them.
    if (name.endsWith('.rotary_emb.inv_freq')) return null;
    return name;
  };
}

/** Loads a Qwen2 folder (config.json + safetensors, e.g. Qwen2.5-0.5B-Instruct). */
export function loadQwen2(dir: string, opts: { prefix?: string } = {}): Qwen2ForCausalLM {
  const config = readQwen2Config(path.join(dir, 'config.json'));
  const model = new Qwen2ForCausalLM(config);
  try {
    loadSafetensorsShards(model, safetensorsFilesOf(dir), { keyMap: qwen2KeyMap({ prefix: opts.prefix, tied: config.tie_word_embeddings }) });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
