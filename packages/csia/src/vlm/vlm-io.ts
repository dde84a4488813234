// Files of stage 1: the standalone ViT export (timm keys, what @babelrs/vit-backbone and the
// detector load for stage 2) and the whole VLM (config.json + model.safetensors [+ tokenizer])
// for resuming or asking it questions later. All writes are atomic (temp file + rename).
import fs from 'node:fs';
import path from 'node:path';
import { loadSafetensorsIntoModule, SafetensorsFile, writeSafetensors } from '@babelrs/core';
import type { ViT, VitConfig } from '@babelrs/vit-backbone';
import { CsiaInputError } from '../errors.js';
import { TextTokenizer, writeTextAtomic } from '../tokenizer/text-tokenizer.js';
import { VisionLanguageModel, type VlmConfig } from './vlm.js';

/** Metadata key holding the ViT's config JSON in an exported checkpoint. */
export const VIT_CONFIG_METADATA_KEY = 'babelrs_vit_config';

/**
 * Writes the ViT's state dict with its own (timm) names — `patch_embed.proj.weight`,
 * `pos_embed`, `blocks.0.attn.qkv.weight`, … — as float32 safetensors, atomically, with the
 * config in `__metadata__` (format "pt", as timm files).
 */
export function exportVit(vit: ViT, file: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeSafetensors(file, vit.stateDict(), { metadata: { format: 'pt', [VIT_CONFIG_METADATA_KEY]: JSON.stringify(vit.config) } });
}

/** The ViT config stored by `exportVit` in a checkpoint's metadata. */
export function readExportedVitConfig(file: string): VitConfig {
  const f = SafetensorsFile.open(file);
  try {
    const raw = f.metadata[VIT_CONFIG_METADATA_KEY];
    if (!raw) throw new CsiaInputError(`${file}: no "${VIT_CONFIG_METADATA_KEY}" in __metadata__ (not written by exportVit)`);
    return JSON.parse(raw) as VitConfig;
  } finally {
    f.close();
  }
}

/** Saves the VLM (and optionally its tokenizer) into `dir`: config.json, model.safetensors. */
export function saveVlm(vlm: VisionLanguageModel, dir: string, tokenizer?: TextTokenizer): void {
  fs.mkdirSync(dir, { recursive: true });
  writeSafetensors(path.join(dir, 'model.safetensors'), vlm.stateDict(), { metadata: { format: 'pt' } });
  writeTextAtomic(path.join(dir, 'config.json'), JSON.stringify({ architectures: ['BabelRsCsiaVlm'], ...vlm.config }, null, 2));
  tokenizer?.save(dir);
}

/** Loads what `saveVlm` wrote (strict: every key and shape must match the config). */
export function loadVlm(dir: string): { vlm: VisionLanguageModel; tokenizer: TextTokenizer | null } {
  const configFile = path.join(dir, 'config.json');
  let config: VlmConfig;
  try {
    config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as VlmConfig;
  } catch (e) {
    throw new CsiaInputError(`${configFile}: ${(e as Error).message}`);
  }
  for (const k of ['vit', 'taps', 'fusion', 'projector', 'lm', 'imageTokenId'] as const) {
    if (config[k] === undefined) throw new CsiaInputError(`${configFile}: missing field "${k}"`);
  }
  const vlm = new VisionLanguageModel(config);
  try {
    loadSafetensorsIntoModule(vlm, path.join(dir, 'model.safetensors'));
  } catch (e) {
    vlm.dispose();
    throw e;
  }
  const tokenizer = fs.existsSync(path.join(dir, 'tokenizer.json')) ? TextTokenizer.fromFile(dir) : null;
  return { vlm, tokenizer };
}
