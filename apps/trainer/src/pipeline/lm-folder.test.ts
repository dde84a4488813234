// Stage 1 with `pretrain.lm: { path }`: a local Hugging Face Qwen2 folder (config.json, HF-keyed
// safetensors, tokenizer.json) built here at a tiny size. Its tokenizer lacks InternVL's image
// tokens, so the trainer adds them and grows the LM's embeddings; the LM's weights in the run's
// checkpoint must be the folder's, moved only by training; a resumed session continues exactly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, readSafetensors, saveModuleSafetensors, tf, writeSafetensors } from '@babelrs/core';
import * as csia from '@babelrs/csia';
import { loadConfig } from '../config/load-config.js';
import { EXIT_INPUT } from '../errors.js';
import { runCli } from '../main.js';
import { createPretrainSession } from './stage-adapter.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-lm-'));
const lmDir = path.join(tmp, 'qwen2-tiny');
const data = path.join(tmp, 'data');
const LR = 1e-3;
const STEPS = 3;
let baseVocab = 0;

/** Stage-1 settings small enough for a test: 10 images per modality, 48 px, batch 3. */
const SETS = [
  `data.root=${data}`,
  'data.synthetic.images={sar: 10, rgb: 10, ir: 10}',
  'pretrain.imageSize=48',
  'pretrain.batch=3',
  `pretrain.steps=${STEPS}`,
  'pretrain.warmupSteps=0',
  'pretrain.schedule=constant',
  `pretrain.lr=${LR}`,
  'pretrain.weightDecay=0',
];

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const setArgs = (sets: string[]) => sets.flatMap((s) => ['--set', s]);

/** A Hugging Face-style Qwen2 folder: a BPE tokenizer WITHOUT the image tokens, an untied LM. */
function writeQwen2Folder(dir: string): void {
  const texts = csia.miniSoiExamples({ range: [0, 4], imageSize: 48, seed: 0 }).examples.flatMap((e) => [e.instruction, e.response]);
  const tokenizer = csia.trainBpeTokenizer(texts, { maxMerges: 60, specialTokens: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] });
  expect(tokenizer.hasToken(csia.IMAGE_TOKENS.context)).toBe(false);
  baseVocab = tokenizer.vocabSize;
  tokenizer.save(dir);
  const config: csia.Qwen2Config = {
    model_type: 'qwen2',
    vocab_size: baseVocab,
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    head_dim: 16,
    max_position_embeddings: 512,
    rope_theta: 10000,
    rms_norm_eps: 1e-6,
    tie_word_embeddings: false,
    attention_bias: true,
    hidden_act: 'silu',
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(csia.qwen2ConfigJson(config)));
  const lm = new csia.Qwen2ForCausalLM(config, { seed: 7 });
  saveModuleSafetensors(lm, path.join(dir, 'model.safetensors')); // HF keys: model.layers.0.…, lm_head.weight
  lm.dispose();
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
  fs.mkdirSync(lmDir);
  writeQwen2Folder(lmDir);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('pretrain.lm: { path } (a local Qwen2 folder)', () => {
  it('trains stage 1 on the folder LM: finite logged losses, the ViT exported, the LM weights the folder\'s moved by training', async () => {
    const out = path.join(tmp, 'run');
    const r = await cli('pretrain', ...setArgs([...SETS, `pretrain.lm.path=${lmDir}`]), '--out', out, '--backend', 'cpu', '-q');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(fs.statSync(path.join(out, 'pretrain', 'vit.safetensors')).size).toBeGreaterThan(1000);

    const steps = fs.readFileSync(path.join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'step' && e.stage === 'pretrain');
    expect(steps).toHaveLength(STEPS);
    for (const s of steps) expect(Number.isFinite(s.loss) && s.loss > 0).toBe(true);
    // an untrained LM over the vocabulary: cross-entropy near ln(V)
    expect(Math.abs(steps[0].loss - Math.log(baseVocab + 3))).toBeLessThan(1);

    const ckptRoot = path.join(out, 'pretrain', 'checkpoints');
    const last = fs.readdirSync(ckptRoot).filter((d) => d.startsWith('step-')).sort().at(-1)!;
    const ckpt = readSafetensors(path.join(ckptRoot, last, 'weights.safetensors')).tensors;
    const folder = readSafetensors(path.join(lmDir, 'model.safetensors')).tensors;
    try {
      // Adam moves each weight by at most ≈ lr per step (no weight decay here): a randomly
      // initialised LM instead of the folder's would differ by the init's scale (≈ 0.02).
      const bound = 1.5 * LR * STEPS;
      let moved = 0;
      for (const [key, w] of Object.entries(folder)) {
        const c = ckpt[`model.language_model.${key}`];
        expect(c, key).toBeDefined();
        const isVocab = key === 'model.embed_tokens.weight' || key === 'lm_head.weight';
        // the image tokens are appended: [V, H] → [V + 3, H]; the old rows come first
        const cOld = isVocab ? tf.slice(c, [0, 0], [baseVocab, -1]) : c;
        expect(cOld.shape, key).toEqual(w.shape);
        const d = maxAbsDiff(cOld, w);
        expect(d, key).toBeLessThanOrEqual(bound);
        moved = Math.max(moved, d);
        if (isVocab) {
          expect(c.shape).toEqual([baseVocab + 3, w.shape[1]]);
          // new rows start at the mean row of the folder's matrix
          const mean = tf.mean(w, 0, true);
          expect(maxAbsDiff(tf.slice(c, [baseVocab, 0], [3, -1]), tf.tile(mean, [3, 1]))).toBeLessThanOrEqual(bound);
          tf.dispose([cOld, mean]);
        }
      }
      expect(moved).toBeGreaterThan(0); // training did change the LM
    } finally {
      tf.dispose([...Object.values(ckpt), ...Object.values(folder)]);
    }
  }, 60_000);

  it('a resumed session rebuilds the folder LM and continues exactly', async () => {
    const config = loadConfig({ preset: 'mini-soi', sets: [...SETS, `pretrain.lm.path=${lmDir}`] });
    // straight through 2 steps, with a snapshot after step 1 (what a checkpoint stores)
    const straight = createPretrainSession(config);
    const losses: number[] = [];
    let snap;
    try {
      losses.push((await straight.runStep()).loss!);
      snap = await straight.snapshot();
      losses.push((await straight.runStep()).loss!);
    } finally {
      await straight.close();
    }
    expect(Object.keys(snap.tensors)).toContain('model.language_model.lm_head.weight');
    const resumed = createPretrainSession(config);
    try {
      resumed.restore(snap, 'test snapshot');
      expect(resumed.step).toBe(1);
      expect((await resumed.runStep()).loss).toBe(losses[1]);
    } finally {
      await resumed.close();
      tf.dispose(Object.values(snap.tensors));
    }
  }, 60_000);

  it('a missing folder, or one without tokenizer.json, is one line naming it (exit 1, before any work)', async () => {
    const missing = path.join(tmp, 'no-such-lm');
    let r = await cli('pretrain', ...setArgs([...SETS, `pretrain.lm.path=${missing}`]), '--out', path.join(tmp, 'r1'), '--backend', 'cpu', '-q');
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.err).toBe(`babelrs: pretrain.lm.path: no such folder: ${missing} (expected a Hugging Face Qwen2 folder: config.json, tokenizer.json, *.safetensors)`);
    expect(fs.existsSync(path.join(tmp, 'r1'))).toBe(false);

    const noTok = path.join(tmp, 'no-tokenizer');
    fs.cpSync(lmDir, noTok, { recursive: true });
    fs.rmSync(path.join(noTok, 'tokenizer.json'));
    r = await cli('pretrain', ...setArgs([...SETS, `pretrain.lm.path=${noTok}`]), '--out', path.join(tmp, 'r2'), '--backend', 'cpu', '-q');
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toContain(`${path.join(noTok, 'tokenizer.json')} is missing`);
  });

  it('a sharded folder (model.safetensors.index.json) loads the same way', async () => {
    const sharded = path.join(tmp, 'sharded');
    fs.mkdirSync(sharded);
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(lmDir, f), path.join(sharded, f));
    const all = readSafetensors(path.join(lmDir, 'model.safetensors')).tensors;
    const keys = Object.keys(all).sort();
    const weightMap: Record<string, string> = {};
    const shards = [keys.slice(0, keys.length >> 1), keys.slice(keys.length >> 1)];
    shards.forEach((part, i) => {
      const name = `model-0000${i + 1}-of-00002.safetensors`;
      writeSafetensors(path.join(sharded, name), Object.fromEntries(part.map((k) => [k, all[k]])));
      for (const k of part) weightMap[k] = name;
    });
    tf.dispose(Object.values(all));
    fs.writeFileSync(path.join(sharded, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const session = createPretrainSession(loadConfig({ preset: 'mini-soi', sets: [...SETS, `pretrain.lm.path=${sharded}`] }));
    await session.close();
    // one shard gone: the error names the file
    fs.rmSync(path.join(sharded, 'model-00002-of-00002.safetensors'));
    expect(() => createPretrainSession(loadConfig({ preset: 'mini-soi', sets: [...SETS, `pretrain.lm.path=${sharded}`] }))).toThrow(/^pretrain\.lm\.path: .*model-00002-of-00002\.safetensors/);
  });

  it('weights that do not fit config.json name the folder, the key and both shapes', async () => {
    const bad = path.join(tmp, 'bad-shape');
    fs.cpSync(lmDir, bad, { recursive: true });
    const cfg = JSON.parse(fs.readFileSync(path.join(bad, 'config.json'), 'utf8'));
    fs.writeFileSync(path.join(bad, 'config.json'), JSON.stringify({ ...cfg, intermediate_size: 48 }));
    const config = loadConfig({ preset: 'mini-soi', sets: [...SETS, `pretrain.lm.path=${bad}`] });
    expect(() => createPretrainSession(config)).toThrow(
      `pretrain.lm.path: ${bad} (weights vs config.json): "model.layers.0.mlp.gate_proj.weight" has shape [64, 32], config.json's model expects [48, 32]`,
    );
  });
});
