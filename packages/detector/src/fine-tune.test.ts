import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, saveModuleSafetensors, Telemetry, type TelemetryEvent } from '@babelrs/core';
import { loadSoiDet, type DetectionSample } from '@babelrs/datasets';
import { buildOptimizer, fineTune, FineTuneDivergedError, loadBackboneCheckpoint, type FineTuneState } from './fine-tune.js';
import { loadFineTuneState, saveFineTuneState } from './fine-tune-state.js';
import { MultiModalDetector } from './multi-modal-detector.js';
import { predict } from './predict.js';
import { miniSoiFixture } from './testing/mini-soi-fixture.js';
import { microConfig } from './testing/micro-config.js';

let samples: DetectionSample[];
beforeAll(async () => {
  expect((await initBackend({ prefer: 'wasm' })).backend).toBe('wasm');
  const root = await miniSoiFixture({ imageSize: 48, objectScale: 2, difficulty: 0, objects: [1, 2] });
  samples = (await loadSoiDet(root, { splits: ['train'] })).samples;
});

function disposeState(s: FineTuneState): void {
  tf.dispose(Object.values(s.optimizer.tensors));
}

describe('fineTune', () => {
  it('smoke: the summed loss falls over a few steps; telemetry has every loss, grad norm, scale and img/s', async () => {
    const detector = new MultiModalDetector(microConfig({ seed: 3 }));
    const telemetry = new Telemetry('test');
    const events: TelemetryEvent[] = [];
    telemetry.on('step', (e) => events.push(e));
    const r = await fineTune({ detector, data: samples, steps: 24, batchSize: 4, optimizer: { lr: 3e-3 }, schedule: { warmupSteps: 2 }, augment: false, telemetry });
    expect(r.step).toBe(24);
    expect(events).toHaveLength(24);
    const e = events[0] as Extract<TelemetryEvent, { type: 'step' }>;
    expect(Object.keys(e.losses!)).toEqual(expect.arrayContaining(['total', 'sar', 'rgb', 'ir']));
    expect(Object.keys(e.losses!).filter((k) => k.startsWith('sar.')).length).toBeGreaterThanOrEqual(3); // qfl, dfl, giou
    expect(Object.keys(e.losses!).filter((k) => k.startsWith('rgb.')).length).toBeGreaterThanOrEqual(3); // cls, bbox, centerness
    expect(e.losses!.total).toBeCloseTo(e.losses!.sar + e.losses!.rgb + e.losses!.ir, 4);
    expect(e.gradNorm).toBeGreaterThan(0);
    expect(e.lossScale).toBe(1);
    expect(e.samples).toBe(4);
    expect(r.imagesPerSecond).toBeGreaterThan(0);
    const first = r.history.slice(0, 4).reduce((a, h) => a + h.loss, 0) / 4;
    const last = r.history.slice(-4).reduce((a, h) => a + h.loss, 0) / 4;
    expect(last).toBeLessThan(first * 0.85);
    disposeState(r.state);
    detector.dispose();
  });

  it('resumes exactly: 3 + 3 steps through a saved state give the losses of 6 uninterrupted steps', async () => {
    const cfg = microConfig({ seed: 5 });
    const opts = { data: samples, steps: 6, batchSize: 4, optimizer: { lr: 2e-3 }, schedule: { warmupSteps: 2 }, seed: 9 } as const;
    const full = new MultiModalDetector(cfg);
    const a = await fineTune({ ...opts, detector: full });
    disposeState(a.state);

    const first = new MultiModalDetector(cfg);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'detector-resume-'));
    let weights: Record<string, tf.Tensor> = {};
    const b1 = await fineTune({ ...opts, detector: first, shouldStop: (s) => s >= 3 });
    expect(b1.stopped).toBe(true);
    expect(b1.step).toBe(3);
    saveFineTuneState(dir, b1.state);
    disposeState(b1.state);
    weights = Object.fromEntries(Object.entries(first.stateDict()).map(([k, v]) => [k, v.clone()]));
    first.dispose();

    const second = new MultiModalDetector({ ...cfg, seed: 77 }); // other init: everything must come from the checkpoint
    second.loadStateDict(weights);
    tf.dispose(Object.values(weights));
    const state = loadFineTuneState(dir);
    const b2 = await fineTune({ ...opts, detector: second, resume: state });
    disposeState(state);
    disposeState(b2.state);
    expect(b2.history.map((h) => h.step)).toEqual([4, 5, 6]);
    expect([...b1.history, ...b2.history].map((h) => h.loss)).toEqual(a.history.map((h) => h.loss));
    expect(b2.history.map((h) => h.lr)).toEqual(a.history.slice(3).map((h) => h.lr));
    full.dispose();
    second.dispose();
  });

  it('fp16: losses stay finite, the scaler reports its scale, an overflowing scale is backed off and the step skipped', async () => {
    const detector = new MultiModalDetector(microConfig({ seed: 2 }));
    const r = await fineTune({ detector, data: samples, steps: 3, batchSize: 4, precision: 'fp16', lossScaler: { initScale: 2 ** 40, growthInterval: 1000 } });
    // 2^40 × loss overflows fp16 gradients: skipped steps with the scale halved each time
    expect(r.history[0].overflow).toBe(true);
    expect(r.history[0].skipped).toBe(true);
    expect(r.history[1].lossScale).toBe(2 ** 39);
    expect(r.history.every((h) => Number.isFinite(h.loss))).toBe(true);
    disposeState(r.state);
    detector.dispose();
  });

  it('fp32 non-finite gradients stop the run with a clear error after maxNonFiniteSteps', async () => {
    const detector = new MultiModalDetector(microConfig());
    const w = detector.backbone.getParameter('pos_embed');
    w.assign(tf.fill(w.shape, Number.NaN));
    await expect(fineTune({ detector, data: samples, steps: 10, batchSize: 4, maxNonFiniteSteps: 2 })).rejects.toThrow(FineTuneDivergedError);
    detector.dispose();
  });

  it('rejects bad options with clear messages', async () => {
    const detector = new MultiModalDetector(microConfig({ heads: { sar: { type: 'gfl', options: { featChannels: 16, stackedConvs: 1 } } } }));
    await expect(fineTune({ detector, data: samples, steps: 0 })).rejects.toThrow(/steps must be a positive integer/);
    await expect(fineTune({ detector, data: samples, steps: 2, ratios: { sar: 2, rgb: 1 } })).rejects.toThrow(/ratios ask for rgb samples but the detector has no rgb head/);
    await expect(fineTune({ detector, data: { root: '/nonexistent/soi', split: 'train' }, steps: 2 })).rejects.toThrow(/\/nonexistent\/soi.*not found|not found.*\/nonexistent\/soi/);
    detector.dispose();
  });
});

describe('heads chosen by config name', () => {
  it("'oriented-rcnn' (the paper's RGB / IR head) is a built-in type: a joint step on 2 workers gives its RPN and RoI losses, predict decodes it", async () => {
    const small = { featChannels: 16, fcChannels: 32, rpnTrainProposals: { nmsPre: 100, maxPerImg: 32 }, rpnTestProposals: { nmsPre: 100, maxPerImg: 32 }, rcnnSampleNum: 32 };
    const cfg = microConfig({ seed: 4, heads: { sar: { type: 'gfl', options: { featChannels: 16, stackedConvs: 1 } }, rgb: { type: 'oriented-rcnn', options: small }, ir: { type: 'oriented-rcnn', options: small } } });
    const detector = new MultiModalDetector(cfg);
    const r = await fineTune({ detector, data: samples, steps: 2, batchSize: 6, ratios: { sar: 1, rgb: 1, ir: 1 }, optimizer: { lr: 1e-3 }, augment: false, workers: 2 });
    const losses = r.history[1].losses!;
    for (const m of ['rgb', 'ir']) {
      expect(Object.keys(losses).filter((k) => k.startsWith(`${m}.`)).sort()).toEqual([`${m}.loss_bbox`, `${m}.loss_cls`, `${m}.loss_rpn_bbox`, `${m}.loss_rpn_cls`]);
      expect(Number.isFinite(losses[m])).toBe(true);
    }
    expect(losses.total).toBeCloseTo(losses.sar + losses.rgb + losses.ir, 4);
    const out = await predict(detector, samples.filter((x) => x.modality !== 'sar').slice(0, 2).map((x) => ({ path: x.imagePath, modality: x.modality })));
    for (const p of out) expect(p.boxType).toBe('obb');
    disposeState(r.state);
    detector.dispose();
  }, 120_000);
});

describe('optimizer groups and init', () => {
  it('layer-wise lr decay 0.95 on the ViT (embeddings lowest), full lr for fusion/neck/heads, no decay on rank-1 params', () => {
    const d = new MultiModalDetector(microConfig());
    const opt = buildOptimizer(d, { lr: 1e-3, weightDecay: 0.05, layerDecay: 0.95 });
    const lrOf = (name: string) => opt.groups.find((g) => g.params.some((p) => p.name === name))!;
    // depth 2: embeddings layer 0 → 0.95^3, block 0 → 0.95^2, block 1 → 0.95, heads → 1
    expect(lrOf('backbone.patch_embed.proj.weight').lr).toBeCloseTo(1e-3 * 0.95 ** 3, 12);
    expect(lrOf('backbone.pos_embed').lr).toBeCloseTo(1e-3 * 0.95 ** 3, 12);
    expect(lrOf('backbone.blocks.0.attn.qkv.weight').lr).toBeCloseTo(1e-3 * 0.95 ** 2, 12);
    expect(lrOf('backbone.blocks.1.mlp.fc1.weight').lr).toBeCloseTo(1e-3 * 0.95, 12);
    const headWeight = d.namedParameters().find(([n, v]) => n.startsWith('heads.sar.') && v.rank === 4)![0];
    expect(lrOf(headWeight).lr).toBeCloseTo(1e-3, 12);
    expect(lrOf(headWeight).weightDecay).toBe(0.05);
    expect(lrOf('backbone.blocks.0.attn.qkv.bias').weightDecay).toBe(0);
    expect(lrOf('backbone.blocks.0.norm1.weight').weightDecay).toBe(0);
    const total = opt.groups.reduce((n, g) => n + g.params.length, 0);
    expect(total).toBe(d.trainableParameters().length);
    opt.dispose();
    d.dispose();
  });

  it('init loads a ViT checkpoint (timm-style keys) into the backbone; a mismatched one names the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'detector-init-'));
    const a = new MultiModalDetector(microConfig({ seed: 1 }));
    const file = path.join(dir, 'vit.safetensors');
    saveModuleSafetensors(a.backbone, file);
    const b = new MultiModalDetector(microConfig({ seed: 2 }));
    const key = 'blocks.1.attn.qkv.weight';
    expect(b.backbone.stateDict()[key].dataSync()).not.toEqual(a.backbone.stateDict()[key].dataSync());
    loadBackboneCheckpoint(b, file);
    for (const [k, v] of Object.entries(a.backbone.stateDict())) expect(b.backbone.stateDict()[k].dataSync()).toEqual(v.dataSync());
    const wide = new MultiModalDetector(microConfig({ backbone: { ...microConfig().backbone, embedDim: 48, mlpHiddenDim: 96 } }));
    let message = '';
    try {
      loadBackboneCheckpoint(wide, file);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`fineTune init ${file}: `);
    expect(message).toMatch(/"blocks\.1\.attn\.qkv\.weight".*expected shape \[144, 48\], found \[96, 32\]/);
    [a, b, wide].forEach((d) => d.dispose());
  });
});

describe('no tensor leaks', () => {
  it('numTensors is flat over 200 training steps (micro model)', async () => {
    const detector = new MultiModalDetector(microConfig({ seed: 1, heads: { sar: { type: 'gfl', options: { featChannels: 16, stackedConvs: 1 } }, rgb: { type: 'rotated-fcos', options: { featChannels: 16, stackedConvs: 1 } } } }));
    const counts: number[] = [];
    const r = await fineTune({
      detector,
      data: samples,
      steps: 200,
      batchSize: 3,
      ratios: { sar: 2, rgb: 1 },
      onStep: ({ step }) => {
        if (step === 5 || step % 50 === 0) counts.push(tf.memory().numTensors);
      },
    });
    expect(r.step).toBe(200);
    // optimizer moments exist from step 1 on; afterwards the count must not move
    expect(new Set(counts).size).toBe(1);
    disposeState(r.state);
    detector.dispose();
  }, 180_000);
});
