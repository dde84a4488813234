// The VLM's wiring: projector names and shapes, splicing of visual tokens at <IMG_CONTEXT>,
// response-only supervision through the whole model (prompt positions carry no gradient),
// files (ViT export that vit-backbone loads, whole-VLM save/load, InternVL key map), generation.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, writeSafetensors } from '@babelrs/core';
import { ViT, loadVitSafetensors } from '@babelrs/vit-backbone';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLossMask } from '../loss-mask.js';
import { packInstructionBatch } from '../pack-batch.js';
import { responseOnlyCrossEntropy } from '../response-only-loss.js';
import { askImages } from './ask.js';
import { loadInternVLWeights } from './internvl-weights.js';
import { Projector } from './projector.js';
import { TEST_VIT, testVlmConfig } from './test-helpers.js';
import { exportVit, loadVlm, readExportedVitConfig, saveVlm } from './vlm-io.js';
import { VisionLanguageModel } from './vlm.js';
import { trainBpeTokenizer } from '../tokenizer/train-bpe.js';
import { parseQwen2Config } from '../lm/qwen2-config.js';
import { Qwen2ForCausalLM } from '../lm/qwen2-model.js';

const IMG = 9; // <IMG_CONTEXT> id in the id-only tests (vocab 30)

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'csia-vlm-'));
}

describe('Projector', () => {
  it('InternVL mlp1 names 0/1/3 and pixel-shuffled shapes; plain MLP names 0/2', () => {
    const p = new Projector({ type: 'pixel-shuffle-mlp' }, 16, 24);
    expect(p.namedParameters().map(([n, v]) => `${n}:${v.shape}`)).toEqual(['0.weight:64', '0.bias:64', '1.weight:24,64', '1.bias:24', '3.weight:24,24', '3.bias:24']);
    const y = p.forward(tf.randomNormal([2, 16, 16]) as tf.Tensor3D, [4, 4]);
    expect(y.shape).toEqual([2, 4, 24]);
    expect(p.tokensFor([4, 4])).toBe(4);
    const m = new Projector({ type: 'mlp' }, 16, 24);
    expect(m.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(m.forward(tf.randomNormal([1, 16, 16]) as tf.Tensor3D, [4, 4]).shape).toEqual([1, 16, 24]);
    expect(() => p.forward(tf.zeros([1, 16, 8]) as tf.Tensor3D, [4, 4])).toThrow(/expects 16 channels/);
  });
});

describe('VisionLanguageModel', () => {
  const vlm = new VisionLanguageModel(testVlmConfig(30, IMG), { seed: 1 });
  const nv = vlm.numImageTokens; // 32 px / 8 → 4×4 grid → 2×2 = 4 tokens

  it('has InternVL child names and 4 visual tokens per 32-px image', () => {
    expect(nv).toBe(4);
    const names = vlm.namedParameters().map(([n]) => n);
    expect(names).toContain('vision_model.blocks.0.attn.qkv.weight');
    expect(names).toContain('mlp1.1.weight');
    expect(names).toContain('language_model.model.layers.0.self_attn.k_proj.bias');
  });

  it('splices visual tokens in order at the <IMG_CONTEXT> positions, text embeddings elsewhere', () => {
    const ids = Int32Array.from([1, IMG, IMG, IMG, IMG, 2, 3, /* row 2 */ 4, 5, IMG, IMG, IMG, IMG, 0]);
    const visual = tf.randomNormal([2, nv, 24]) as tf.Tensor3D;
    const out = vlm.spliceEmbeddings(visual, ids, 2, 7).arraySync();
    const v = visual.arraySync();
    const text = vlm.lm.embed(tf.tensor2d(ids, [2, 7], 'int32')).arraySync();
    expect(out[0][1]).toEqual(v[0][0]);
    expect(out[0][4]).toEqual(v[0][3]);
    expect(out[1][2]).toEqual(v[1][0]);
    expect(out[0][5]).toEqual(text[0][5]);
    expect(out[1][0]).toEqual(text[1][0]);
    expect(() => vlm.spliceEmbeddings(visual, Int32Array.from([1, IMG, 2, 3, 4, 5, 6, ...new Array(7).fill(1)]), 2, 7)).toThrow(/sequence 0 holds 1 <IMG_CONTEXT> tokens, the image gives 4/);
  });

  it('prompt tokens carry no gradient: only positions predicting the response get one', () => {
    const samples = [
      { promptIds: [1, IMG, IMG, IMG, IMG, 5, 6], responseIds: [7, 8, 2] },
      { promptIds: [1, IMG, IMG, IMG, IMG, 5], responseIds: [11, 2] },
    ];
    const batch = packInstructionBatch(samples, { padId: 0 });
    const images = tf.randomNormal([2, 3, 32, 32]) as tf.Tensor4D;
    const targets = tf.tensor2d(batch.inputIds, [2, batch.seqLen], 'int32');
    const mask = buildLossMask(batch.promptLengths, batch.totalLengths, batch.seqLen);
    const logits = vlm.forward({ images, inputIds: batch.inputIds, batchSize: 2, seqLen: batch.seqLen, step: 0 });
    const g = tf.grad((z: tf.Tensor) => responseOnlyCrossEntropy(z as tf.Tensor3D, targets, mask))(logits);
    const rowNorm = tf.sum(tf.abs(g), -1).arraySync() as number[][];
    rowNorm.forEach((row, b) =>
      row.forEach((n, t) => {
        // position t predicts token t + 1: supervised iff t + 1 is a response token
        const supervised = t + 1 >= batch.promptLengths[b] && t + 1 < batch.totalLengths[b];
        if (supervised) expect(n).toBeGreaterThan(0);
        else expect(n).toBe(0);
      }),
    );
    // through the whole model: the ViT does get a gradient (the image conditions the answer)
    const vitGrads = tf.variableGrads(() => responseOnlyCrossEntropy(vlm.forward({ images, inputIds: batch.inputIds, batchSize: 2, seqLen: batch.seqLen, step: 0 }), targets, mask), vlm.vit.trainableParameters());
    expect(Object.values(vitGrads.grads).some((t) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]) > 0)).toBe(true);
    tf.dispose([images, targets, mask, logits, g, vitGrads.value, ...Object.values(vitGrads.grads)]);
  });

  it('exportVit writes timm keys that vit-backbone loads (style babelrs), atomically', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'vit.safetensors');
    exportVit(vlm.vit, file);
    expect(fs.readdirSync(dir)).toEqual(['vit.safetensors']);
    expect(readExportedVitConfig(file)).toEqual(vlm.vit.config);
    const fresh = new ViT(readExportedVitConfig(file), { seed: 99 });
    const report = loadVitSafetensors(fresh, file, { style: 'babelrs' });
    expect(report.loaded.length).toBe(fresh.namedParameters().length);
    const x = tf.randomNormal([1, 3, 32, 32]) as tf.Tensor4D;
    expect(maxDiff(vlm.vit.forwardTaps(x, [1]).taps[0], fresh.forwardTaps(x, [1]).taps[0])).toBe(0);
    fs.rmSync(dir, { recursive: true });
  });

  it('saveVlm / loadVlm round-trip the whole model and its tokenizer', () => {
    const tok = trainBpeTokenizer(['How many ships are there?', 'There are 2 ships.'], { maxMerges: 20 });
    const model = new VisionLanguageModel(testVlmConfig(tok.vocabSize, tok.tokenId('<IMG_CONTEXT>')), { seed: 4 });
    const dir = tmpDir();
    saveVlm(model, dir, tok);
    const { vlm: back, tokenizer } = loadVlm(dir);
    expect(tokenizer?.encode('How many ships?')).toEqual(tok.encode('How many ships?'));
    const pixels = Float32Array.from({ length: 3 * 32 * 32 }, (_, i) => Math.sin(i));
    expect(askImages(back, tokenizer!, [pixels], ['How many ships are there?'], { maxNewTokens: 5 })).toEqual(askImages(model, tok, [pixels], ['How many ships are there?'], { maxNewTokens: 5 }));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...model.config, taps: undefined }));
    expect(() => loadVlm(dir)).toThrow(/missing field "taps"/);
    back.dispose();
    model.dispose();
    fs.rmSync(dir, { recursive: true });
  });

  it('askImages generates greedily and leaves no tensors behind', () => {
    const tok = trainBpeTokenizer(['Is there a ship?', 'Yes.'], { maxMerges: 10 });
    const model = new VisionLanguageModel(testVlmConfig(tok.vocabSize, tok.tokenId('<IMG_CONTEXT>')), { seed: 5 });
    const pixels = [new Float32Array(3 * 32 * 32).fill(0.5), new Float32Array(3 * 32 * 32).fill(-0.5)];
    const before = tf.memory().numTensors;
    const a = askImages(model, tok, pixels, ['Is there a ship?', 'Is there a big ship there?'], { maxNewTokens: 4 });
    expect(a).toHaveLength(2);
    expect(askImages(model, tok, pixels, ['Is there a ship?', 'Is there a big ship there?'], { maxNewTokens: 4 })).toEqual(a);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('VLM variants', () => {
  it("per-layer projectors (@babelrs/lvsa createLayerFusion) own parameters under 'fusion.'", () => {
    const v = new VisionLanguageModel(testVlmConfig(30, IMG, { fusion: { name: 'per-layer-projectors' } }));
    expect(v.namedParameters().map(([n]) => n)).toContain('fusion.projectors.1.weight');
    expect(v.encodeImages(tf.randomNormal([1, 3, 32, 32]) as tf.Tensor4D, 0).shape).toEqual([1, 4, 24]);
    v.dispose();
  });

  it('another LanguageModel can be swapped in (a Llama-style decoder without q/k/v bias)', () => {
    const llama = new Qwen2ForCausalLM(parseQwen2Config({ model_type: 'llama', vocab_size: 30, hidden_size: 24, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2 }));
    const v = new VisionLanguageModel(testVlmConfig(30, IMG), { languageModel: llama });
    expect(v.lm).toBe(llama);
    expect(v.namedParameters().map(([n]) => n)).not.toContain('language_model.model.layers.0.self_attn.q_proj.bias');
    const bad = new Qwen2ForCausalLM(parseQwen2Config({ vocab_size: 30, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2 }));
    expect(() => new VisionLanguageModel(testVlmConfig(30, IMG), { languageModel: bad })).toThrow(/hidden size 16/);
    v.dispose();
  });
});

describe('InternVL checkpoint key map', () => {
  /** timm name → InternViT name (the inverse of vit-backbone's 'internvit' map). */
  function internVitKey(name: string): string {
    if (name === 'cls_token') return 'embeddings.class_embedding';
    if (name === 'pos_embed') return 'embeddings.position_embedding';
    if (name.startsWith('patch_embed.proj.')) return name.replace('patch_embed.proj.', 'embeddings.patch_embedding.');
    return name.replace(/^blocks\.(\d+)\.(ls[12])\.gamma$/, 'encoder.layers.$1.$2').replace(/^blocks\./, 'encoder.layers.');
  }

  it('loads language_model.*, mlp1.* and vision_model.* of a generated checkpoint with exactly those names', () => {
    const internVit = { ...TEST_VIT, numPrefixTokens: 1, layerScaleInit: 0.1, finalNorm: false };
    const lmUntied = { ...testVlmConfig(30, IMG).lm, tie_word_embeddings: false };
    const src = new VisionLanguageModel(testVlmConfig(30, IMG, { vit: internVit, lm: lmUntied }), { seed: 7 });
    const tensors: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(src.vit.stateDict())) tensors[`vision_model.${internVitKey(k)}`] = v;
    for (const [k, v] of Object.entries(src.projector.stateDict())) tensors[`mlp1.${k}`] = v;
    for (const [k, v] of Object.entries(src.lm.stateDict())) tensors[`language_model.${k}`] = v;
    expect(Object.keys(tensors)).toContain('language_model.model.embed_tokens.weight');
    expect(Object.keys(tensors)).toContain('language_model.lm_head.weight');
    expect(Object.keys(tensors)).toContain('vision_model.encoder.layers.1.attn.qkv.weight');
    expect(Object.keys(tensors)).toContain('vision_model.embeddings.patch_embedding.weight');
    expect(Object.keys(tensors)).toContain('mlp1.3.bias');
    const dir = tmpDir();
    writeSafetensors(path.join(dir, 'model.safetensors'), { ...tensors, 'some_other.weight': tf.zeros([1]) }, { floatDtype: 'BF16' });
    const dst = new VisionLanguageModel(testVlmConfig(30, IMG, { vit: internVit, lm: lmUntied }), { seed: 8 });
    const report = loadInternVLWeights(dst, dir);
    expect(report.ignored).toEqual(['some_other.weight']);
    expect(report.language.length).toBe(src.lm.namedParameters().length);
    expect(report.projector).toHaveLength(6);
    expect(report.vision?.loaded.length).toBe(src.vit.namedParameters().length);
    // bf16 file: every value equals the source rounded to bf16
    const a = src.stateDict();
    const b = dst.stateDict();
    for (const k of Object.keys(a)) {
      const err = maxDiff(a[k], b[k]);
      expect(err, k).toBeLessThanOrEqual(tf.tidy(() => tf.max(tf.abs(a[k])).dataSync()[0]) / 128);
    }
    // a missing key is an error naming it
    delete tensors['language_model.model.layers.0.mlp.up_proj.weight'];
    writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
    expect(() => loadInternVLWeights(dst, dir)).toThrow(/missing keys \(1\): model\.layers\.0\.mlp\.up_proj\.weight/);
    fs.rmSync(dir, { recursive: true });
  });
});
