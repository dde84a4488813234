import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { Embedding } from './embedding.js';
import { zeros } from './init.js';
import { LayerNorm } from './layer-norm.js';
import { Linear } from './linear.js';
import { MLP } from './mlp.js';
import { Module, StateDictError } from './module.js';
import { ModuleList, Sequential } from './module-list.js';
import { nameMatcher } from './name-pattern.js';
import { Dropout } from './dropout.js';

class Attention extends Module {
  constructor(dim: number, rng: Rng) {
    super();
    this.registerModule('qkv', new Linear(dim, 3 * dim, { rng }));
    this.registerModule('proj', new Linear(dim, dim, { rng }));
  }
}

class Block extends Module {
  constructor(dim: number, rng: Rng) {
    super();
    this.registerModule('norm1', new LayerNorm(dim));
    this.registerModule('attn', new Attention(dim, rng));
    this.registerModule('norm2', new LayerNorm(dim));
    this.registerModule('mlp', new MLP(dim, { hiddenFeatures: 2 * dim, rng, drop: 0.1 }));
  }
}

/** timm-named toy ViT: cls_token, patch_embed.proj, blocks.N.*, norm, head. */
class ToyViT extends Module {
  readonly blocks: ModuleList<Block>;
  constructor(dim = 4, depth = 2, seed = 0) {
    super();
    const rng = new Rng(seed);
    this.registerParameter('cls_token', zeros([1, 1, dim]));
    this.registerModule('patch_embed', new Module()).registerModule('proj', new Linear(3, dim, { rng }));
    this.blocks = this.registerModule('blocks', new ModuleList(Array.from({ length: depth }, () => new Block(dim, rng))));
    this.registerModule('norm', new LayerNorm(dim));
    this.registerModule('head', new Linear(dim, 2, { rng }));
  }
}

class TinyLM extends Module {
  readonly embed: Embedding;
  readonly lmHead: Linear;
  constructor() {
    super();
    this.embed = this.registerModule('embed_tokens', new Embedding(5, 3, { rng: new Rng(1) }));
    this.lmHead = this.registerModule('lm_head', new Linear(3, 5, { bias: false, rng: new Rng(2) }));
    this.tieParameter('lm_head.weight', this.embed.weight);
  }
}

describe('Module tree', () => {
  it('builds dotted names from registered children and parameters', () => {
    const m = new ToyViT(4, 2);
    const names = m.namedParameters().map(([n]) => n);
    expect(names.slice(0, 3)).toEqual(['cls_token', 'patch_embed.proj.weight', 'patch_embed.proj.bias']);
    expect(names).toContain('blocks.1.attn.qkv.weight');
    expect(names).toContain('blocks.0.mlp.fc2.bias');
    expect(names.at(-1)).toBe('head.bias');
    expect(m.namedModules().map(([n]) => n)).toContain('blocks.1.attn');
    expect(m.moduleAt('blocks.1.attn.qkv')).toBeInstanceOf(Linear);
    // 4 + (3·4+4) + 2·block + 8 + (4·2+2)
    const block = 8 + (12 * 4 + 12) + (4 * 4 + 4) + 8 + (4 * 8 + 8) + (8 * 4 + 4);
    expect(m.numParameters()).toBe(4 + 16 + 2 * block + 8 + 10);
    // tfjs variable names are globally unique
    const varNames = m.parameters().map((v) => v.name);
    expect(new Set(varNames).size).toBe(varNames.length);
    m.dispose();
  });

  it('rejects dotted or duplicate names', () => {
    const m = new Module();
    expect(() => m.registerParameter('a.b', tf.zeros([1]))).toThrow(/without dots/);
    m.registerParameter('w', tf.zeros([1]));
    expect(() => m.registerModule('w', new Module())).toThrow(/already registered/);
    m.dispose();
  });

  it('propagates train/eval mode to every descendant', () => {
    const m = new ToyViT();
    m.eval();
    expect(m.namedModules().every(([, x]) => !x.training)).toBe(true);
    const drop = m.moduleAt('blocks.0.mlp.drop1') as Dropout;
    const x = tf.ones([2, 8]);
    expect(drop.forward(x)).toBe(x);
    m.train();
    expect(m.namedModules().every(([, x]) => x.training)).toBe(true);
    m.dispose();
  });

  it('freezes and unfreezes by glob (prefix) and regex', () => {
    const m = new ToyViT(4, 3);
    const frozen = m.freeze(['patch_embed', 'blocks.0', 'cls_token']);
    expect(frozen).toEqual(m.namedParameters().map(([n]) => n).filter((n) => /^(patch_embed|blocks\.0\.|cls_token)/.test(n)));
    expect(m.trainableParameters().length).toBe(m.parameters().length - frozen.length);
    expect(m.freeze(/\.norm\d\.bias$/).length).toBe(6);
    expect(m.unfreeze('blocks.*.norm?.bias')).toEqual(['blocks.0.norm1.bias', 'blocks.0.norm2.bias', 'blocks.1.norm1.bias', 'blocks.1.norm2.bias', 'blocks.2.norm1.bias', 'blocks.2.norm2.bias']);
    expect(m.getModule('head').getParameter('weight').trainable).toBe(true);
    m.dispose();
  });

  it('name patterns: * stays within a segment, ** crosses dots', () => {
    expect(nameMatcher('blocks.*.weight')('blocks.3.weight')).toBe(true);
    expect(nameMatcher('blocks.*.weight')('blocks.3.attn.weight')).toBe(false);
    expect(nameMatcher('**.weight')('blocks.3.attn.weight')).toBe(true);
    expect(nameMatcher('blocks.1')('blocks.10.x')).toBe(false);
    expect(nameMatcher('blocks.1')('blocks.1.x')).toBe(true);
  });

  it('ties parameters: listed once, both names in the state dict, one gradient, disposed once', () => {
    const lm = new TinyLM();
    expect(lm.namedParameters().map(([n]) => n)).toEqual(['embed_tokens.weight']);
    expect(Object.keys(lm.stateDict())).toEqual(['embed_tokens.weight', 'lm_head.weight']);
    expect(lm.lmHead.weight).toBe(lm.embed.weight);
    // gradient through both uses lands in ONE entry (summed by tfjs), so no double update
    const ids = tf.tensor1d([1, 2], 'int32');
    const { grads } = tf.variableGrads(() => tf.sum(lm.lmHead.forward(lm.embed.forward(ids))) as tf.Scalar, lm.trainableParameters());
    expect(Object.keys(grads)).toEqual([lm.embed.weight.name]);
    // loading only one of the tied names is enough
    const report = lm.loadStateDict({ 'lm_head.weight': tf.ones([5, 3]) });
    expect(report.missing).toEqual([]);
    expect(lm.embed.weight.dataSync()[0]).toBe(1);
    lm.dispose();
    expect(lm.embed.weight.isDisposed).toBe(true);
  });

  it('Sequential applies children in order', () => {
    const a = new Linear(2, 2);
    a.weight.assign(tf.tensor2d([[2, 0], [0, 3]]));
    a.bias!.assign(tf.zeros([2]));
    const seq = new Sequential([a, new Dropout(0)]);
    expect(Array.from(seq.forward(tf.tensor2d([[1, 1]])).dataSync())).toEqual([2, 3]);
    expect(seq.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias']);
    seq.dispose();
  });
});

describe('buffers', () => {
  it('are in the state dict (when persistent) but never parameters or trainable', () => {
    const m = new Module();
    m.registerParameter('w', tf.ones([2]));
    const child = m.registerModule('rope', new Module());
    child.registerBuffer('position_ids', tf.tensor1d([0, 1, 2], 'int32'));
    child.registerBuffer('cache', tf.zeros([2]), { persistent: false });
    expect(m.namedParameters().map(([n]) => n)).toEqual(['w']);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['rope.position_ids', 'rope.cache']);
    expect(Object.keys(m.stateDict())).toEqual(['w', 'rope.position_ids']);
    expect(child.getBuffer('position_ids').trainable).toBe(false);
    expect(m.freeze('**')).toEqual(['w']);
    const report = m.loadStateDict({ w: tf.zeros([2]), 'rope.position_ids': tf.tensor1d([5, 6, 7], 'int32') });
    expect(report.loaded).toEqual(['w', 'rope.position_ids']);
    expect(Array.from(child.getBuffer('position_ids').dataSync())).toEqual([5, 6, 7]);
    expect(() => m.loadStateDict({ w: tf.zeros([2]) })).toThrow(/missing keys \(1\): rope\.position_ids/);
    expect(() => child.registerBuffer('cache', tf.zeros([1]))).toThrow(/already registered/);
    m.dispose();
    expect(child.getBuffer('cache').isDisposed).toBe(true);
  });
});

describe('stateDict / loadStateDict', () => {
  it('round-trips between two models', () => {
    const a = new ToyViT(4, 2, 1);
    const b = new ToyViT(4, 2, 2);
    const report = b.loadStateDict(a.stateDict());
    expect(report.loaded.length).toBe(a.parameters().length);
    for (const [name, v] of a.namedParameters()) {
      expect(Array.from(b.stateDict()[name].dataSync())).toEqual(Array.from(v.dataSync()));
    }
    a.dispose();
    b.dispose();
  });

  it('strict: ONE error listing missing, unexpected and mis-shaped keys; nothing loaded', () => {
    const m = new ToyViT(4, 2);
    const before = Array.from(m.getModule('head').getParameter('bias').dataSync());
    const dict: Record<string, tf.Tensor> = { ...m.stateDict() };
    delete dict['blocks.1.attn.proj.weight'];
    delete dict['norm.bias'];
    dict['blocks.2.attn.qkv.weight'] = tf.zeros([12, 4]);
    dict['head.weight'] = tf.zeros([3, 4]);
    dict['head.bias'] = tf.ones([2]);
    let err: unknown;
    try {
      m.loadStateDict(dict);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StateDictError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/missing keys \(2\): blocks\.1\.attn\.proj\.weight, norm\.bias/);
    expect(msg).toMatch(/unexpected keys \(1\): blocks\.2\.attn\.qkv\.weight/);
    expect(msg).toMatch(/size mismatch for head\.weight: checkpoint has \[3,4\], model has \[2,4\]/);
    expect(Array.from(m.getModule('head').getParameter('bias').dataSync())).toEqual(before);
    // non-strict: loads what matches and returns the same report
    const report = m.loadStateDict(dict, { strict: false });
    expect(report.missing).toEqual(['blocks.1.attn.proj.weight', 'norm.bias']);
    expect(report.unexpected).toEqual(['blocks.2.attn.qkv.weight']);
    expect(report.mismatched).toEqual([{ key: 'head.weight', expected: [2, 4], got: [3, 4] }]);
    expect(Array.from(m.getModule('head').getParameter('bias').dataSync())).toEqual([1, 1]);
    m.dispose();
  });

  it('names the key whose value is not a tensor', () => {
    const m = new Module();
    m.registerParameter('w', tf.zeros([2]));
    expect(() => m.loadStateDict({ w: [1, 2] as unknown as tf.Tensor })).toThrow(/Module\.loadStateDict: value of key "w" is not a tensor \(got object\)/);
    m.dispose();
  });

  it('casts dtypes on load (int checkpoint into float parameter)', () => {
    const m = new Module();
    const w = m.registerParameter('w', tf.zeros([2]));
    m.loadStateDict({ w: tf.tensor1d([3, 4], 'int32') });
    expect(w.dtype).toBe('float32');
    expect(Array.from(w.dataSync())).toEqual([3, 4]);
    m.dispose();
  });
});
