// A minimal ViT-Tiny-like classifier for the training-step benchmark (not a library model; the
// real one lives in @babelrs/vit-backbone). Patchify = reshape + matMul (the same math as a
// stride-16 conv), pre-norm blocks with multi-head attention and an erf-GELU MLP, a class-token
// head and cross-entropy. `MatOps` decides how the products are computed, so one model measures
// tfjs as shipped against core's plain-2-D fast path. torch_vit_step.py mirrors it op for op.
import type { Tensor, Variable } from '@tensorflow/tfjs';
import { AdamW, geluErf, geluErfUnfused, layerNorm as fusedLayerNorm, layerNormUnfused, linear, matMul, tf } from '../src/index.js';

export interface VitConfig {
  imageSize: number;
  patch: number;
  channels: number;
  dim: number;
  depth: number;
  heads: number;
  mlpRatio: number;
  classes: number;
  batch: number;
}

export const VIT_TINY: VitConfig = { imageSize: 224, patch: 16, channels: 3, dim: 192, depth: 12, heads: 3, mlpRatio: 4, classes: 1000, batch: 8 };

export interface MatOps {
  name: string;
  linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor;
  matMul(a: Tensor, b: Tensor, transposeA?: boolean, transposeB?: boolean): Tensor;
  /** LayerNorm over the last dim, eps 1e-6 (timm ViT). */
  layerNorm(x: Tensor, g: Tensor, b: Tensor): Tensor;
  /** erf GELU. */
  gelu(x: Tensor): Tensor;
  /** 'composed': AdamW from tfjs ops (~13 kernels per parameter); 'core': core's AdamW (one fused kernel per parameter on wasm). */
  optimizer: 'composed' | 'core';
}

const unfusedLn = (x: Tensor, g: Tensor, b: Tensor) => layerNormUnfused(x, g, b, 1e-6);

/** tfjs as shipped: `tf.matMul` with its transposed/batched products and its own gradients. */
export const SHIPPED_OPS: MatOps = {
  name: 'tf.matMul',
  linear: (x, w, b) => {
    const inDim = x.shape[x.rank - 1];
    let y = tf.matMul(x.reshape([-1, inDim]), w, false, true);
    if (b) y = y.add(b);
    return y.reshape([...x.shape.slice(0, -1), w.shape[0]]);
  },
  matMul: (a, b, tA = false, tB = false) => tf.matMul(a, b, tA, tB),
  layerNorm: unfusedLn,
  gelu: geluErfUnfused,
  optimizer: 'composed',
};

/** core's products (on wasm every forward and backward product is a plain 2-D matmul), with
 *  LayerNorm and GELU composed from tfjs ops: the fast path before the fused ops. */
export const FAST_UNFUSED_OPS: MatOps = {
  name: '@babelrs/core matMul/linear (bias add unfused)',
  // the generic product + a separate bias add (what linear was before linear2d)
  linear: (x, w, b) => {
    const inDim = x.shape[x.rank - 1];
    let y = matMul(x.reshape([-1, inDim]), w, false, true);
    if (b) y = y.add(b);
    return y.reshape([...x.shape.slice(0, -1), w.shape[0]]);
  },
  matMul,
  layerNorm: unfusedLn,
  gelu: geluErfUnfused,
  optimizer: 'composed',
};

/** Everything core offers: plain-2-D products plus fused LayerNorm and GELU (hand-written gradients). */
export const FAST_OPS: MatOps = {
  name: '@babelrs/core linear/matMul + fused layerNorm/gelu/AdamW',
  linear,
  matMul,
  layerNorm: (x, g, b) => fusedLayerNorm(x, g, b, 1e-6),
  gelu: geluErf,
  optimizer: 'core',
};

export type VitParams = Map<string, Variable>;

let instances = 0;

export function createVit(cfg: VitConfig, seed = 0): VitParams {
  const p: VitParams = new Map();
  let s = seed;
  // tfjs variable names are global: prefix each model instance.
  const id = `vit${++instances}/`;
  const normal = (name: string, shape: number[]) => p.set(name, tf.variable(tf.randomNormal(shape, 0, 0.02, 'float32', ++s), true, id + name));
  const constant = (name: string, shape: number[], v: number) => p.set(name, tf.variable(tf.fill(shape, v), true, id + name));
  const patchDim = cfg.patch * cfg.patch * cfg.channels;
  const tokens = (cfg.imageSize / cfg.patch) ** 2 + 1;
  const hidden = cfg.dim * cfg.mlpRatio;
  normal('patch.weight', [cfg.dim, patchDim]);
  constant('patch.bias', [cfg.dim], 0);
  normal('cls', [1, 1, cfg.dim]);
  normal('pos', [1, tokens, cfg.dim]);
  for (let i = 0; i < cfg.depth; i++) {
    const b = `blocks.${i}`;
    constant(`${b}.norm1.weight`, [cfg.dim], 1);
    constant(`${b}.norm1.bias`, [cfg.dim], 0);
    normal(`${b}.attn.qkv.weight`, [3 * cfg.dim, cfg.dim]);
    constant(`${b}.attn.qkv.bias`, [3 * cfg.dim], 0);
    normal(`${b}.attn.proj.weight`, [cfg.dim, cfg.dim]);
    constant(`${b}.attn.proj.bias`, [cfg.dim], 0);
    constant(`${b}.norm2.weight`, [cfg.dim], 1);
    constant(`${b}.norm2.bias`, [cfg.dim], 0);
    normal(`${b}.mlp.fc1.weight`, [hidden, cfg.dim]);
    constant(`${b}.mlp.fc1.bias`, [hidden], 0);
    normal(`${b}.mlp.fc2.weight`, [cfg.dim, hidden]);
    constant(`${b}.mlp.fc2.bias`, [cfg.dim], 0);
  }
  constant('norm.weight', [cfg.dim], 1);
  constant('norm.bias', [cfg.dim], 0);
  normal('head.weight', [cfg.classes, cfg.dim]);
  constant('head.bias', [cfg.classes], 0);
  return p;
}

function attention(x: Tensor, p: VitParams, pre: string, cfg: VitConfig, ops: MatOps): Tensor {
  const [B, N, C] = x.shape; // [B, N, C]
  const hd = C / cfg.heads;
  const qkv = ops
    .linear(x, p.get(`${pre}.qkv.weight`)!, p.get(`${pre}.qkv.bias`)!)
    .reshape([B, N, 3, cfg.heads, hd])
    .transpose([2, 0, 3, 1, 4]); // [3, B, H, N, hd]
  const [q, k, v] = tf.unstack(qkv); // each [B, H, N, hd]
  const attn = tf.softmax(ops.matMul(q, k, false, true).mul(1 / Math.sqrt(hd))); // [B, H, N, N]
  const out = ops.matMul(attn, v).transpose([0, 2, 1, 3]).reshape([B, N, C]); // [B, N, C]
  return ops.linear(out, p.get(`${pre}.proj.weight`)!, p.get(`${pre}.proj.bias`)!);
}

/** Logits [B, classes] for NHWC images [B, H, W, C]. */
export function vitForward(images: Tensor, p: VitParams, cfg: VitConfig, ops: MatOps): Tensor {
  const B = images.shape[0];
  const g = cfg.imageSize / cfg.patch;
  const patches = images
    .reshape([B, g, cfg.patch, g, cfg.patch, cfg.channels])
    .transpose([0, 1, 3, 2, 4, 5])
    .reshape([B, g * g, cfg.patch * cfg.patch * cfg.channels]); // [B, N, P·P·C]
  let x = ops.linear(patches, p.get('patch.weight')!, p.get('patch.bias')!); // [B, N, D]
  x = tf.concat([tf.tile(p.get('cls')!, [B, 1, 1]), x], 1).add(p.get('pos')!); // [B, N+1, D]
  for (let i = 0; i < cfg.depth; i++) {
    const b = `blocks.${i}`;
    x = x.add(attention(ops.layerNorm(x, p.get(`${b}.norm1.weight`)!, p.get(`${b}.norm1.bias`)!), p, `${b}.attn`, cfg, ops));
    const h = ops.layerNorm(x, p.get(`${b}.norm2.weight`)!, p.get(`${b}.norm2.bias`)!);
    const m = ops.linear(ops.gelu(ops.linear(h, p.get(`${b}.mlp.fc1.weight`)!, p.get(`${b}.mlp.fc1.bias`)!)), p.get(`${b}.mlp.fc2.weight`)!, p.get(`${b}.mlp.fc2.bias`)!);
    x = x.add(m);
  }
  const cls = ops.layerNorm(x, p.get('norm.weight')!, p.get('norm.bias')!).slice([0, 0, 0], [B, 1, cfg.dim]).reshape([B, cfg.dim]);
  return ops.linear(cls, p.get('head.weight')!, p.get('head.bias')!); // [B, classes]
}

/** What trainStep needs of an optimizer. */
export interface StepOptimizer {
  step(grads: tf.NamedTensorMap): void;
  dispose(): void;
}

const LR = 1e-4;
const WD = 0.05;
const B1 = 0.9;
const B2 = 0.999;
const EPS = 1e-8;

/** AdamW over every parameter (decay on all, as the torch anchor): composed from tfjs ops, or core's. */
export function createAdamW(p: VitParams, kind: MatOps['optimizer'] = 'composed'): StepOptimizer {
  if (kind === 'core') {
    const opt = new AdamW([{ params: [...p], weightDecay: WD }], { lr: LR, betas: [B1, B2], eps: EPS });
    return { step: (g) => opt.step(g), dispose: () => opt.dispose() };
  }
  const zeros = () => new Map([...p].map(([k, t]) => [k, tf.variable(tf.zerosLike(t), false)] as const));
  const m = zeros();
  const v = zeros();
  let step = 0;
  return {
    // PyTorch semantics: decoupled decay, bias-corrected moments.
    step: (grads) =>
      tf.tidy(() => {
        step++;
        const c1 = 1 - B1 ** step;
        const c2 = 1 - B2 ** step;
        for (const [name, param] of p) {
          const g = grads[param.name];
          const mi = m.get(name)!;
          const vi = v.get(name)!;
          mi.assign(mi.mul(B1).add(g.mul(1 - B1)));
          vi.assign(vi.mul(B2).add(g.square().mul(1 - B2)));
          const update = mi.div(c1).div(vi.div(c2).sqrt().add(EPS));
          param.assign(param.mul(1 - LR * WD).sub(update.mul(LR)));
        }
      }),
    dispose: () => tf.dispose([...m.values(), ...v.values()]),
  };
}

/** Loss and gradients of every parameter (caller disposes). */
export function lossAndGrads(p: VitParams, images: Tensor, labels: Tensor, cfg: VitConfig, ops: MatOps): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  return tf.tidy(() => tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, vitForward(images, p, cfg, ops)) as tf.Scalar));
}

/** One forward + backward + AdamW update; returns the loss. */
export function trainStep(p: VitParams, opt: StepOptimizer, images: Tensor, labels: Tensor, cfg: VitConfig, ops: MatOps): number {
  const { value, grads } = lossAndGrads(p, images, labels, cfg, ops);
  opt.step(grads); // outside any tidy: core's optimizers keep their state tensors
  tf.dispose(Object.values(grads));
  const out = value.dataSync()[0]; // forces the step to finish before the timer stops
  value.dispose();
  return out;
}

export function disposeVit(p: VitParams, opt?: StepOptimizer): void {
  for (const t of p.values()) t.dispose();
  opt?.dispose();
}
