// Loading pretrained ViT weights by upstream key names.
//
// Key map (checkpoint key → this package's ViT parameter; N = block index):
//
//   style 'timm' / 'babelrs' (timm `VisionTransformer` state dict; also what `namedParameters()`
//   and @babelrs/csia's `exportVit` write) — identical names:
//     cls_token, pos_embed, patch_embed.proj.{weight,bias}, norm.{weight,bias},
//     blocks.N.{norm1,norm2}.{weight,bias}, blocks.N.attn.{qkv,proj}.{weight,bias},
//     blocks.N.mlp.{fc1,fc2}.{weight,bias}, blocks.N.{ls1,ls2}.gamma
//     'timm' skips the classifier (`head.*`, `fc_norm.*`), which the backbone has no use for.
//
//   style 'internvit' (OpenGVLab `InternVisionModel`; under `vision_model.` in an InternVL
//   checkpoint, detected automatically, or pass `prefix`):
//     embeddings.class_embedding             → cls_token            [1, 1, D]
//     embeddings.position_embedding          → pos_embed            [1, 1 + g², D]
//     embeddings.patch_embedding.{weight,bias} → patch_embed.proj.{weight,bias}  [D, C, p, p], [D]
//     encoder.layers.N.ls1 / ls2             → blocks.N.ls1.gamma / ls2.gamma   [D]
//     encoder.layers.N.<rest>                → blocks.N.<rest>  (norm1, norm2, attn.qkv, attn.proj, mlp.fc1, mlp.fc2)
//     InternViT has no final norm: a ViT with `finalNorm` keeps its `norm.*` as initialised
//     (listed in the report's `notInCheckpoint`). QK-normalisation (`attn.q_norm`/`k_norm`, the
//     6B model) is not supported and is reported as an unknown key.
//
// A checkpoint `pos_embed` laid out for another square grid is resampled to the ViT's grid
// (bicubic, the ViT's `posEmbedAntialias`), as timm's checkpoint filter does; `resizePosEmbed:
// false` makes that an error instead. Every problem (unknown key, missing key, wrong shape) is
// collected first and thrown as ONE VitWeightError; nothing is assigned unless all fit.
import * as tf from '@tensorflow/tfjs';
import { SafetensorsFile } from '@babelrs/core';
import { VitWeightError } from './errors.js';
import { interpolatePosEmbed } from './pos-embed.js';
import type { ViT } from './vit.js';

export type VitWeightStyle = 'timm' | 'internvit' | 'babelrs';

export interface LoadVitWeightsOptions {
  style: VitWeightStyle;
  /**
   * Only keys starting with this prefix are read (the prefix is stripped); others are ignored
   * (an InternVL checkpoint's `language_model.*`, `mlp1.*`). Default: '' for timm/babelrs;
   * for internvit 'vision_model.' when the checkpoint has such keys, else ''.
   */
  prefix?: string;
  /** Resample a pos_embed of another square grid to the ViT's grid (default true). */
  resizePosEmbed?: boolean;
}

export interface LoadVitWeightsReport {
  /** ViT parameter names that received a value. */
  loaded: string[];
  /** ViT parameters the style has no key for (InternViT: `norm.*`), left as they were. */
  notInCheckpoint: string[];
  /** Checkpoint keys deliberately skipped (classifier head, keys outside the prefix). */
  skipped: string[];
  /** Set when pos_embed was resampled: [from grid, to grid]. */
  posEmbedResized?: [[number, number], [number, number]];
}

const TIMM_SKIPPED = /^(head|fc_norm|head_drop)(\.|$)/;

/** Maps one checkpoint key (prefix already stripped) to a ViT parameter name, or null if unknown. */
export function vitParamName(key: string, style: VitWeightStyle): string | null {
  if (style === 'timm' || style === 'babelrs') return key;
  switch (key) {
    case 'embeddings.class_embedding':
      return 'cls_token';
    case 'embeddings.position_embedding':
      return 'pos_embed';
    case 'embeddings.patch_embedding.weight':
      return 'patch_embed.proj.weight';
    case 'embeddings.patch_embedding.bias':
      return 'patch_embed.proj.bias';
  }
  const m = /^encoder\.layers\.(\d+)\.(.+)$/.exec(key);
  if (!m) return null;
  const rest = m[2] === 'ls1' || m[2] === 'ls2' ? `${m[2]}.gamma` : m[2];
  return `blocks.${m[1]}.${rest}`;
}

/** Names the ViT parameters that a checkpoint of `style` never contains. */
function paramsAbsentFromStyle(name: string, style: VitWeightStyle): boolean {
  return style === 'internvit' && name.startsWith('norm.');
}

function defaultPrefix(keys: readonly string[], style: VitWeightStyle): string {
  return style === 'internvit' && keys.some((k) => k.startsWith('vision_model.')) ? 'vision_model.' : '';
}

function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Square grid side of a pos_embed with `prefix` prefix tokens, or null if not square. */
function squareSide(tokens: number, prefix: number): number | null {
  const side = Math.round(Math.sqrt(tokens - prefix));
  return side >= 1 && side * side === tokens - prefix ? side : null;
}

interface Plan {
  report: LoadVitWeightsReport;
  /** ViT parameter name → checkpoint key. */
  sources: Map<string, string>;
}

/** Decides what goes where from key → shape alone (no tensor data is read). */
function planLoad(vit: ViT, shapes: ReadonlyMap<string, readonly number[]>, opts: LoadVitWeightsOptions): Plan {
  const { style } = opts;
  if (!['timm', 'internvit', 'babelrs'].includes(style)) {
    throw new VitWeightError(`loadVitWeights: unknown style '${String(style)}' (known: timm, internvit, babelrs)`);
  }
  const allKeys = [...shapes.keys()];
  const prefix = opts.prefix ?? defaultPrefix(allKeys, style);
  const params = new Map(vit.namedParameters().map(([k, v]) => [k, v]));
  const report: LoadVitWeightsReport = { loaded: [], notInCheckpoint: [], skipped: [] };
  const sources = new Map<string, string>();
  const problems: string[] = [];
  for (const key of allKeys) {
    if (!key.startsWith(prefix)) {
      report.skipped.push(key);
      continue;
    }
    const local = key.slice(prefix.length);
    if (style === 'timm' && TIMM_SKIPPED.test(local)) {
      report.skipped.push(key);
      continue;
    }
    const name = vitParamName(local, style);
    const param = name === null ? undefined : params.get(name);
    if (name === null || !param) {
      problems.push(`unknown key "${key}"${name && name !== local ? ` (→ "${name}")` : ''} with shape ${shapeStr(shapes.get(key) ?? [])}: the ViT has no such parameter`);
      continue;
    }
    const found = shapes.get(key) ?? [];
    const expected = param.shape;
    const resizable = name === 'pos_embed' && (opts.resizePosEmbed ?? true) && found.length === 3 && found[0] === 1 && found[2] === expected[2] && squareSide(found[1], vit.numPrefixTokens) !== null;
    if (shapeStr(found) !== shapeStr(expected) && !resizable) {
      problems.push(`key "${key}" (→ "${name}"): expected shape ${shapeStr(expected)}, found ${shapeStr(found)}`);
      continue;
    }
    sources.set(name, key);
  }
  for (const name of params.keys()) {
    if (sources.has(name) || problems.some((p) => p.includes(`"${name}"`))) continue;
    if (paramsAbsentFromStyle(name, style)) report.notInCheckpoint.push(name);
    else problems.push(`missing key for "${name}" (expected shape ${shapeStr(params.get(name)?.shape ?? [])})${prefix ? ` under prefix "${prefix}"` : ''}`);
  }
  if (problems.length > 0) {
    throw new VitWeightError(`loadVitWeights (style '${style}'): ${problems.length} problem(s), nothing was loaded:\n  ${problems.join('\n  ')}`);
  }
  return { report, sources };
}

/** variable ← value (cast to float32; checkpoints may hold F64 → float32 already). */
function assignValue(variable: tf.Variable, value: tf.Tensor): void {
  tf.tidy(() => variable.assign(value.dtype === variable.dtype ? value : tf.cast(value, variable.dtype)));
}

/** Copies one tensor into the ViT parameter `name`, resampling pos_embed when its grid differs. */
function assignOne(vit: ViT, name: string, value: tf.Tensor, report: LoadVitWeightsReport): void {
  const variable = vit.namedParameters().find(([k]) => k === name)?.[1];
  if (!variable) throw new VitWeightError(`loadVitWeights: no parameter "${name}"`);
  if (name === 'pos_embed' && value.shape[1] !== variable.shape[1]) {
    const prefix = vit.numPrefixTokens;
    const side = squareSide(value.shape[1] as number, prefix) as number;
    const from: [number, number] = [side, side];
    const resized = interpolatePosEmbed(value as tf.Tensor3D, from, vit.posGrid, prefix, { antialias: vit.config.posEmbedAntialias ?? false });
    assignValue(variable, resized);
    resized.dispose();
    report.posEmbedResized = [from, [...vit.posGrid]];
  } else {
    assignValue(variable, value);
  }
  report.loaded.push(name);
}

/**
 * Loads `tensors` (checkpoint key → tensor; a Map or a plain record such as core's
 * `readSafetensors(...).tensors`) into `vit` by the key map of `opts.style` (see the table at
 * the top of this file). Throws a VitWeightError listing every unknown key, missing key and
 * shape mismatch (key, expected and found shape) before assigning anything. The caller keeps
 * ownership of `tensors`.
 */
export function loadVitWeights(vit: ViT, tensors: ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>, opts: LoadVitWeightsOptions): LoadVitWeightsReport {
  const map: ReadonlyMap<string, tf.Tensor> = tensors instanceof Map ? tensors : new Map(Object.entries(tensors));
  const shapes = new Map([...map].map(([k, t]) => [k, t.shape] as const));
  const { report, sources } = planLoad(vit, shapes, opts);
  for (const [name, key] of sources) assignOne(vit, name, map.get(key) as tf.Tensor, report);
  return report;
}

/**
 * {@link loadVitWeights} straight from a safetensors file: the plan is made from the header,
 * then only the needed tensors are read, one at a time (an InternVL checkpoint's language model
 * is never read). F16/BF16/F64 become float32.
 */
export function loadVitSafetensors(vit: ViT, path: string, opts: LoadVitWeightsOptions): LoadVitWeightsReport {
  const file = SafetensorsFile.open(path);
  try {
    const shapes = new Map(file.keys().map((k) => [k, file.info(k).shape] as const));
    let plan: Plan;
    try {
      plan = planLoad(vit, shapes, opts);
    } catch (e) {
      if (e instanceof VitWeightError) e.message = `${path}: ${e.message}`;
      throw e;
    }
    for (const [name, key] of plan.sources) {
      const t = file.readTensor(key);
      try {
        assignOne(vit, name, t, plan.report);
      } finally {
        t.dispose();
      }
    }
    return plan.report;
  } finally {
    file.close();
  }
}
