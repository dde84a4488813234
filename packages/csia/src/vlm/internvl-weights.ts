// Loading an InternVL-2.5 checkpoint (e.g. InternVL2_5-1B: InternViT-300M + Qwen2.5-0.5B) into
// the VLM. Key map:
//   language_model.model.*            → language_model.model.*  (Qwen2 names, unchanged)
//   language_model.lm_head.weight     → language_model.lm_head.weight (skipped when tied)
//   mlp1.{0,1,3}.{weight,bias}        → mlp1.{0,1,3}.*  (LayerNorm, Linear, Linear)
//   vision_model.*                    → vision_model.* via @babelrs/vit-backbone's 'internvit'
//                                       style (embeddings.* / encoder.layers.N.* → timm names)
// Every part is checked from the headers before data is read; a missing or misshaped key is an
// error naming it.
import * as tf from '@tensorflow/tfjs';
import { SafetensorsFile } from '@babelrs/core';
import { loadVitWeights, type LoadVitWeightsReport } from '@babelrs/vit-backbone';
import { CsiaInputError } from '../errors.js';
import { loadSafetensorsShards, qwen2KeyMap, safetensorsFilesOf } from '../lm/load-weights.js';
import type { Qwen2ForCausalLM } from '../lm/qwen2-model.js';
import type { VisionLanguageModel } from './vlm.js';

export type InternVLPart = 'language' | 'vision' | 'projector';

/** Which part of the VLM an InternVL checkpoint key belongs to (null: not part of the model). */
export function splitInternVLKey(key: string): InternVLPart | null {
  if (key.startsWith('language_model.')) return 'language';
  if (key.startsWith('vision_model.')) return 'vision';
  if (key.startsWith('mlp1.')) return 'projector';
  return null;
}

export interface InternVLLoadReport {
  language: string[];
  projector: string[];
  vision: LoadVitWeightsReport | null;
  /** Checkpoint keys outside the three parts. */
  ignored: string[];
}

/**
 * Loads `language_model.*`, `mlp1.*` and (unless `vision: false`) `vision_model.*` of an InternVL
 * folder or safetensors file into `vlm`, whose config must have the checkpoint's shapes.
 */
export function loadInternVLWeights(vlm: VisionLanguageModel, dirOrFile: string, opts: { vision?: boolean } = {}): InternVLLoadReport {
  const files = safetensorsFilesOf(dirOrFile);
  const ignored: string[] = [];
  const visionKeys: [string, string][] = [];
  for (const f of files) {
    const file = SafetensorsFile.open(f);
    try {
      for (const k of file.keys()) {
        const part = splitInternVLKey(k);
        if (part === null) ignored.push(k);
        if (part === 'vision') visionKeys.push([f, k]);
      }
    } finally {
      file.close();
    }
  }
  const lm = vlm.lm as Qwen2ForCausalLM;
  const language = loadSafetensorsShards(lm, files, { keyMap: qwen2KeyMap({ prefix: 'language_model.', tied: lm.config.tie_word_embeddings }) }).loaded;
  const projector = loadSafetensorsShards(vlm.projector, files, { keyMap: (k) => (k.startsWith('mlp1.') ? k.slice(5) : null) }).loaded;
  let vision: LoadVitWeightsReport | null = null;
  if (opts.vision ?? true) {
    if (visionKeys.length === 0) throw new CsiaInputError(`${dirOrFile}: no vision_model.* keys (pass { vision: false } to load only the LM and projector)`);
    const tensors = new Map<string, tf.Tensor>();
    try {
      for (const [f, k] of visionKeys) {
        const file = SafetensorsFile.open(f);
        try {
          tensors.set(k, file.readTensor(k));
        } finally {
          file.close();
        }
      }
      vision = loadVitWeights(vlm.vit, tensors, { style: 'internvit', prefix: 'vision_model.' });
    } finally {
      tf.dispose([...tensors.values()]);
    }
  }
  return { language, projector, vision, ignored };
}
