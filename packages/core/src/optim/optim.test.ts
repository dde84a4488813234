import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Linear } from '../nn/linear.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { Module } from '../nn/module.js';
import { ModuleList } from '../nn/module-list.js';
import { AdamW } from './adamw.js';
import { layerDecayScale, vitLayerId } from './layer-decay.js';
import { paramGroups } from './param-groups.js';
import { SGD } from './sgd.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'optim.json'), 'utf8'));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

let varId = 0;
function param(values: number[], shape: number[]): tf.Variable {
  return tf.variable(tf.tensor(values, shape), true, `optim_test_${varId++}`);
}

describe('AdamW matches torch.optim.AdamW (fixtures/gen_optim.py)', () => {
  it('two groups with own lr and weight decay, a skipped gradient, an lr change: |Δ| ≤ 1e-6', () => {
    const c = ref.adamw;
    const vars: Record<string, tf.Variable> = {};
    for (const k of Object.keys(c.shapes)) vars[k] = param(c.init[k], c.shapes[k]);
    const groups = c.groups.map((g: { params: string[]; lr: number; weight_decay: number }) => ({
      params: g.params.map((n) => ({ name: n, variable: vars[n] })),
      lr: g.lr,
      weightDecay: g.weight_decay,
    }));
    const opt = new AdamW(groups, { betas: c.betas, eps: c.eps });
    let worst = 0;
    for (const [i, s] of c.steps.entries()) {
      const grads: tf.NamedTensorMap = {};
      for (const [k, g] of Object.entries(s.grads as Record<string, number[]>)) grads[vars[k].name] = tf.tensor(g, c.shapes[k]);
      if (i === 4) opt.groups[0].lr = s.lr[0];
      opt.step(grads);
      Object.values(grads).forEach((g) => g.dispose());
      for (const k of Object.keys(vars)) worst = Math.max(worst, maxAbsDiff(vars[k].dataSync(), s.params[k]));
    }
    expect(worst).toBeLessThan(1e-6);
    // state dict: per-parameter steps (w2 skipped once) and moments by dotted name
    const st = opt.stateDict();
    expect(st.meta.paramSteps).toEqual({ w1: 6, b1: 6, w2: 5 });
    expect(Object.keys(st.tensors).sort()).toEqual(['b1/exp_avg', 'b1/exp_avg_sq', 'w1/exp_avg', 'w1/exp_avg_sq', 'w2/exp_avg', 'w2/exp_avg_sq']);
    Object.values(st.tensors).forEach((t) => t.dispose());
    opt.dispose();
    Object.values(vars).forEach((v) => v.dispose());
  });

  it('resumes exactly from its state dict', () => {
    const c = ref.adamw;
    const run = (resumeAt: number | null): Float32Array => {
      const v = param(c.init.w1, c.shapes.w1);
      let opt = new AdamW([{ params: [['w1', v]], lr: 1e-2, weightDecay: 0.05 }]);
      c.steps.forEach((s: { grads: Record<string, number[]> }, i: number) => {
        if (i === resumeAt) {
          const st = opt.stateDict();
          opt.dispose();
          opt = new AdamW([{ params: [['w1', v]], lr: 1e-2, weightDecay: 0.05 }]);
          // meta goes through JSON as it would in a checkpoint file
          opt.loadStateDict({ meta: JSON.parse(JSON.stringify(st.meta)), tensors: st.tensors });
          Object.values(st.tensors).forEach((t) => t.dispose());
        }
        const g = tf.tensor(s.grads.w1, c.shapes.w1);
        opt.step({ [v.name]: g });
        g.dispose();
      });
      const out = Float32Array.from(v.dataSync());
      opt.dispose();
      v.dispose();
      return out;
    };
    expect(Array.from(run(3))).toEqual(Array.from(run(null)));
  });

  it('loadStateDict rejects state for other parameters, naming them', () => {
    const a = param([1, 2], [2]);
    const opt = new AdamW([{ params: [['a', a]] }]);
    opt.step({ [a.name]: tf.ones([2]) });
    const st = opt.stateDict();
    const b = param([1, 2, 3], [3]);
    const other = new AdamW([{ params: [['b', b]] }]);
    expect(() => other.loadStateDict(st)).toThrow(/group 0 .* holds different parameters/);
    const sgd = new SGD([{ params: [['a', a]] }]);
    expect(() => sgd.loadStateDict(st)).toThrow(/state is for AdamW/);
    [a, b].forEach((v) => v.dispose());
  });
});

describe('SGD matches torch.optim.SGD', () => {
  for (const c of ref.sgd) {
    it(`momentum ${c.momentum}, dampening ${c.dampening}, nesterov ${c.nesterov}, wd ${c.weight_decay}`, () => {
      const v = param(c.init, c.shape);
      const opt = new SGD([{ params: [['p', v]] }], { lr: c.lr, momentum: c.momentum, dampening: c.dampening, nesterov: c.nesterov, weightDecay: c.weight_decay });
      for (const s of c.steps) {
        const g = tf.tensor(s.grad, c.shape);
        opt.step({ [v.name]: g });
        g.dispose();
        expect(maxAbsDiff(v.dataSync(), s.param)).toBeLessThan(1e-6);
      }
      opt.dispose();
      v.dispose();
    });
  }
});

class ToyViT extends Module {
  constructor(depth: number) {
    super();
    this.registerParameter('cls_token', tf.zeros([1, 1, 2]));
    this.registerModule('patch_embed', new Module()).registerModule('proj', new Linear(3, 2));
    this.registerModule('blocks', new ModuleList(Array.from({ length: depth }, () => new Linear(2, 2))));
    this.registerModule('norm', new LayerNorm(2));
    this.registerModule('head', new Linear(2, 2));
  }
}

describe('parameter groups', () => {
  it('ViT layer ids and decay scales follow BEiT / detectron2', () => {
    expect(vitLayerId('cls_token', 12)).toBe(0);
    expect(vitLayerId('patch_embed.proj.weight', 12)).toBe(0);
    expect(vitLayerId('backbone.net.pos_embed', 12)).toBe(0);
    expect(vitLayerId('blocks.0.attn.qkv.weight', 12)).toBe(1);
    expect(vitLayerId('backbone.blocks.11.mlp.fc2.bias', 12)).toBe(12);
    expect(vitLayerId('norm.weight', 12)).toBe(13);
    expect(vitLayerId('head.weight', 12)).toBe(13);
    expect(layerDecayScale('blocks.3.x.weight', 12, 0.95)).toBeCloseTo(0.95 ** 9, 15);
    expect(layerDecayScale('patch_embed.proj.weight', 12, 0.95)).toBeCloseTo(0.95 ** 13, 15);
    expect(layerDecayScale('head.bias', 12, 0.95)).toBe(1);
    expect(() => vitLayerId('blocks.12.x', 12)).toThrow(/block index 12 but depth is 12/);
  });

  it('paramGroups: no decay for biases / norms / rank-1, one group per (lr scale, decay), frozen excluded', () => {
    const m = new ToyViT(2);
    m.freeze('blocks.1');
    const groups = paramGroups(m, { weightDecay: 0.05, noDecay: [/(^|\.)bias$/, 'cls_token'], layerDecay: { decay: 0.5, depth: 2 } });
    const summary = groups.map((g) => [g.lrScale, g.weightDecay, g.params.map((p) => ('name' in p ? p.name : p[0]))]);
    expect(summary).toEqual([
      [0.125, 0, ['cls_token', 'patch_embed.proj.bias']],
      [0.125, 0.05, ['patch_embed.proj.weight']],
      [0.25, 0.05, ['blocks.0.weight']],
      [0.25, 0, ['blocks.0.bias']],
      [1, 0, ['norm.weight', 'norm.bias', 'head.bias']],
      [1, 0.05, ['head.weight']],
    ]);
    // AdamW uses the scales: group lr = base × scale
    const opt = new AdamW(groups, { lr: 0.1 });
    expect(opt.groups.map((g) => g.lr)).toEqual([0.0125, 0.0125, 0.025, 0.025, 0.1, 0.1]);
    opt.setLrFactor(0.5);
    expect(opt.groups.map((g) => g.lr)).toEqual([0.00625, 0.00625, 0.0125, 0.0125, 0.05, 0.05]);
    m.dispose();
  });

  it('rejects a tied variable listed twice (it would be updated twice)', () => {
    const v = param([1], [1]);
    expect(() => new AdamW([{ params: [['a', v]] }, { params: [['b', v]] }])).toThrow(/"b" is the same variable as "a"/);
    v.dispose();
  });

  it('skips frozen parameters and parameters without gradient', () => {
    const a = param([1, 1], [2]);
    const b = param([1, 1], [2]);
    const opt = new SGD([{ params: [['a', a], ['b', b]] }], { lr: 1 });
    a.trainable = false;
    opt.step({ [a.name]: tf.ones([2]) });
    expect(Array.from(a.dataSync())).toEqual([1, 1]);
    expect(Array.from(b.dataSync())).toEqual([1, 1]);
    a.trainable = true;
    opt.step({ [a.name]: tf.ones([2]) });
    expect(Array.from(a.dataSync())).toEqual([0, 0]);
    expect(() => opt.step({ [b.name]: tf.ones([3]) })).toThrow(/gradient for "b" has shape \[3\], parameter has \[2\]/);
    [a, b].forEach((v) => v.dispose());
  });
});
