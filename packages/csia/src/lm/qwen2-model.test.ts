// Qwen2 decoder vs the PyTorch re-implementation of transformers' Qwen2ForCausalLM
// (fixtures/gen_qwen2_reference.py): logits within 1e-4, greedy decoding with the KV cache equal
// to the reference's full recomputation, left-padded batched generation, weight-loading errors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend, writeSafetensors } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate } from './generate.js';
import { loadQwen2 } from './load-weights.js';
import { parseQwen2Config } from './qwen2-config.js';
import { Qwen2ForCausalLM } from './qwen2-model.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const ref = JSON.parse(fs.readFileSync(path.join(fixtures, 'qwen2_reference.json'), 'utf8'));

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe.each(Object.keys(ref.cases))('Qwen2 %s vs PyTorch', (name) => {
  const c = ref.cases[name];
  it('logits of a right-padded batch match within 1e-4 (real positions)', () => {
    const lm = loadQwen2(path.join(fixtures, c.folder));
    expect(lm.config.tie_word_embeddings).toBe(name.startsWith('tied'));
    expect(lm.lmHead === null).toBe(name.startsWith('tied'));
    const ids = tf.tensor2d(c.input_ids, undefined, 'int32') as tf.Tensor2D;
    const { logits } = lm.forward({ inputIds: ids, attentionMask: c.attention_mask });
    const got = logits.arraySync() as number[][][];
    let maxErr = 0;
    c.logits.forEach((row: number[][], b: number) =>
      row.forEach((vec: number[], t: number) => {
        if (!c.attention_mask[b][t]) return;
        vec.forEach((v, k) => (maxErr = Math.max(maxErr, Math.abs(v - got[b][t][k]))));
      }),
    );
    expect(maxErr).toBeLessThan(1e-4);
    tf.dispose([ids, logits]);
    lm.dispose();
  });

  it('greedy generation of 8 tokens with the KV cache equals the reference (train and eval mode)', () => {
    const lm = loadQwen2(path.join(fixtures, c.folder));
    lm.eval(); // decode steps take the small-M inference path (generate switches to eval itself)
    const before = tf.memory().numTensors;
    expect(generate(lm, { inputIds: c.greedy_prompt }, { maxNewTokens: 8 })).toEqual(c.greedy_tokens);
    expect(generate(lm, { inputIds: c.left_padded_prompt }, { maxNewTokens: 8, attentionMask: c.left_padded_mask })).toEqual(c.left_padded_greedy);
    lm.train();
    expect(generate(lm, { inputIds: c.greedy_prompt }, { maxNewTokens: 8 })).toEqual(c.greedy_tokens);
    expect(lm.training).toBe(true); // mode restored
    expect(tf.memory().numTensors).toBe(before);
    lm.dispose();
  });

  it('eval-mode logits (small-M inference path) equal train-mode logits', () => {
    const lm = loadQwen2(path.join(fixtures, c.folder));
    const ids = tf.tensor2d([c.greedy_prompt[0]], undefined, 'int32') as tf.Tensor2D;
    const a = lm.forward({ inputIds: ids }).logits;
    lm.eval();
    const b = lm.forward({ inputIds: ids }).logits;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([ids, a, b]);
    lm.dispose();
  });
});

describe('Qwen2 language model', () => {
  const tiny = parseQwen2Config({ vocab_size: 40, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2 });

  it('inputsEmbeds = embed(inputIds) gives the same logits; parameter names are HF keys', () => {
    const lm = new Qwen2ForCausalLM(tiny, { seed: 1 });
    const names = lm.namedParameters().map(([n]) => n);
    expect(names).toContain('model.embed_tokens.weight');
    expect(names).toContain('model.layers.1.self_attn.q_proj.bias');
    expect(names).toContain('model.layers.0.mlp.gate_proj.weight');
    expect(names).toContain('lm_head.weight');
    expect(names).not.toContain('model.layers.0.self_attn.o_proj.bias');
    const ids = tf.tensor2d([[1, 5, 7, 3]], [1, 4], 'int32');
    const a = lm.forward({ inputIds: ids }).logits;
    const e = lm.embed(ids);
    const b = lm.forward({ inputsEmbeds: e }).logits;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-6);
    expect(() => lm.forward({ inputIds: tf.tensor2d([[40]], [1, 1], 'int32') })).toThrow(/outside the vocabulary/);
    lm.dispose();
  });

  it('top-k sampling is seeded and k = 1 equals greedy', () => {
    const lm = new Qwen2ForCausalLM(tiny, { seed: 2, initStd: 0.5 });
    const greedy = generate(lm, { inputIds: [[1, 2, 3]] }, { maxNewTokens: 6 });
    expect(generate(lm, { inputIds: [[1, 2, 3]] }, { maxNewTokens: 6, strategy: 'top-k', topK: 1, seed: 5 })).toEqual(greedy);
    const s1 = generate(lm, { inputIds: [[1, 2, 3]] }, { maxNewTokens: 6, strategy: 'top-k', topK: 10, seed: 5 });
    expect(generate(lm, { inputIds: [[1, 2, 3]] }, { maxNewTokens: 6, strategy: 'top-k', topK: 10, seed: 5 })).toEqual(s1);
    // stops at the end token (kept in the output)
    const eos = greedy[0][2];
    const stopped = generate(lm, { inputIds: [[1, 2, 3]] }, { maxNewTokens: 6, eosTokenIds: [eos] })[0];
    expect(stopped[stopped.length - 1]).toBe(eos);
    expect(stopped.length).toBeLessThanOrEqual(3);
    lm.dispose();
  });

  it('a missing or misshaped key is an error naming it, nothing loaded', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csia-qwen2-'));
    const lm = new Qwen2ForCausalLM(tiny, { seed: 3 });
    const dict = { ...lm.stateDict() } as Record<string, tf.Tensor>;
    delete dict['model.layers.1.mlp.up_proj.weight'];
    dict['model.norm.weight'] = tf.zeros([15]);
    writeSafetensors(path.join(dir, 'model.safetensors'), dict);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...tiny, model_type: 'qwen2' }));
    expect(() => loadQwen2(dir)).toThrow(/missing keys \(1\): model\.layers\.1\.mlp\.up_proj\.weight[\s\S]*size mismatch for model\.norm\.weight/);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...tiny, num_key_value_heads: 3 }));
    expect(() => loadQwen2(dir)).toThrow(/num_key_value_heads 3 must divide num_attention_heads 4/);
    lm.dispose();
    fs.rmSync(dir, { recursive: true });
  });
});
