import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@babelrs/core';
import { buildPipeline, loadSoiDet, type DetectionSample } from '@babelrs/datasets';
import { GflHead, RotatedFcosHead } from '@babelrs/det-heads';
import { collateBatch } from './batch.js';
import { loadItems } from './detection-data.js';
import { createHead, headTypes, registerHeadType } from './head-registry.js';
import { MultiModalDetector } from './multi-modal-detector.js';
import { testPipeline } from './pipelines.js';
import { miniSoiFixture } from './testing/mini-soi-fixture.js';
import { microConfig } from './testing/micro-config.js';

let samples: DetectionSample[];
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  samples = (await loadSoiDet(await miniSoiFixture({ imageSize: 48, objectScale: 2, difficulty: 0, objects: [1, 2] }), { splits: ['train'] })).samples;
});

async function batchOf(detector: MultiModalDetector, ids: number[]) {
  const items = await loadItems(samples, ids, buildPipeline(testPipeline(detector.config)), ids.map(() => 0));
  const b = collateBatch(items, detector.config.imageSize, { spaces: detector.labelSpaces, boxTypes: detector.boxTypes });
  const s = detector.config.imageSize;
  return { b, images: tf.tensor4d(b.images, [ids.length, 3, s, s]) };
}

describe('MultiModalDetector', () => {
  it('builds the default heads: GFL (hbb) for SAR, rotated FCOS (obb) for RGB and IR, each with its class count', () => {
    const d = new MultiModalDetector(microConfig());
    expect(d.heads.sar).toBeInstanceOf(GflHead);
    expect(d.heads.rgb).toBeInstanceOf(RotatedFcosHead);
    expect(d.boxTypes).toEqual({ sar: 'hbb', rgb: 'obb', ir: 'obb' });
    expect([d.heads.sar!.numClasses, d.heads.rgb!.numClasses, d.heads.ir!.numClasses]).toEqual([6, 15, 5]);
    const names = d.namedParameters().map(([n]) => n);
    expect(names).toContain('backbone.patch_embed.proj.weight');
    expect(names).toContain('backbone.blocks.1.attn.qkv.weight');
    expect(names.some((n) => n.startsWith('neck.simfp_'))).toBe(true);
    expect(names.some((n) => n.startsWith('heads.sar.'))).toBe(true);
    expect(names.some((n) => n.startsWith('heads.ir.'))).toBe(true);
    d.dispose();
  });

  it('routes each sample of a mixed batch to its head: per-modality losses and detections equal those of single-modality batches', async () => {
    const d = new MultiModalDetector(microConfig({ seed: 4 }));
    const sar = samples.flatMap((s, i) => (s.modality === 'sar' ? [i] : [])).slice(0, 2);
    const rgb = samples.flatMap((s, i) => (s.modality === 'rgb' ? [i] : [])).slice(0, 1);
    const ir = samples.flatMap((s, i) => (s.modality === 'ir' ? [i] : [])).slice(0, 1);
    const mixed = await batchOf(d, [ir[0], sar[0], rgb[0], sar[1]]);
    const lossesOf = (x: Awaited<ReturnType<typeof batchOf>>) => {
      const { total, parts } = d.losses(x.images, x.b.groups, x.b.targets!);
      const out = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, v.dataSync()[0]]));
      out.total = total.dataSync()[0];
      tf.dispose([total, ...Object.values(parts)]);
      return out;
    };
    const all = lossesOf(mixed);
    const alone = { ...lossesOf(await batchOf(d, sar)), ...lossesOf(await batchOf(d, rgb)), ...lossesOf(await batchOf(d, ir)) };
    for (const k of Object.keys(all).filter((k) => k !== 'total')) expect(all[k]).toBeCloseTo(alone[k], 4);
    const sum = Object.entries(all).filter(([k]) => k !== 'total').reduce((a, [, v]) => a + v, 0);
    expect(all.total).toBeCloseTo(sum, 4);

    d.eval();
    const decode = { scoreThreshold: 0 };
    const mixedDets = d.detect(mixed.images, mixed.b.groups, decode);
    expect(mixedDets.map((x) => x.boxType)).toEqual(['hbb', 'hbb', 'obb', 'obb']);
    const sarOnly = await batchOf(d, sar);
    const sarDets = d.detect(sarOnly.images, sarOnly.b.groups, decode);
    expect(Array.from(mixedDets[1].scores.slice(0, 5))).toEqual(Array.from(sarDets[1].scores.slice(0, 5)).map((v) => expect.closeTo(v, 4)));
    const before = tf.memory().numTensors;
    d.detect(mixed.images, mixed.b.groups).length;
    expect(tf.memory().numTensors).toBe(before);
    d.dispose();
  });
});

describe('fusion step (LVSA α(t)) persistence', () => {
  it('travels in the state dict as the buffer fusion_step, so a restored detector fuses with the trained α', () => {
    const a = new MultiModalDetector(microConfig());
    a.fusionStep = 123;
    const b = new MultiModalDetector(microConfig({ seed: 9 }));
    expect(b.fusionStep).toBe(0);
    expect(Object.keys(a.stateDict())).toContain('fusion_step');
    expect(a.trainableParameters().length).toBe(a.namedParameters().length); // a buffer, not a parameter
    b.loadStateDict(a.stateDict());
    expect(b.fusionStep).toBe(123);
    expect(() => (b.fusionStep = -1)).toThrow(/non-negative integer/);
    a.dispose();
    b.dispose();
  });
});

describe('fusion variants (lvsa createLayerFusion) by config', () => {
  it('every variant builds, gives finite losses, and feeds its width to the neck', async () => {
    const widths: Record<string, number> = {};
    for (const name of ['last', 'concat', 'sum', 'mean', 'per-layer-projectors', 'lvsa'] as const) {
      const d = new MultiModalDetector(microConfig({ fusion: { name }, heads: { sar: { type: 'gfl', options: { featChannels: 16, stackedConvs: 1 } } } }));
      widths[name] = d.fusion.outChannels;
      const x = await batchOf(d, [samples.findIndex((s) => s.modality === 'sar')]);
      const { total } = d.losses(x.images, x.b.groups, x.b.targets!);
      expect(Number.isFinite(total.dataSync()[0])).toBe(true);
      const fusionParams = d.namedParameters().filter(([n]) => n.startsWith('fusion.')).map(([n]) => n);
      expect(fusionParams.length > 0).toBe(name === 'per-layer-projectors');
      tf.dispose([total, x.images]);
      d.dispose();
    }
    expect(widths).toEqual({ last: 32, concat: 64, sum: 32, mean: 32, 'per-layer-projectors': 32, lvsa: 32 });
  });
});

describe('head registry', () => {
  it('lists the built-in types and builds a registered custom type chosen by config', () => {
    new MultiModalDetector(microConfig()).dispose(); // registers the built-ins
    expect(headTypes()).toEqual(expect.arrayContaining(['gfl', 'rotated-fcos']));
    let seen: unknown = null;
    registerHeadType('gfl-test-light', (o) => {
      seen = o;
      return new GflHead({ numClasses: o.numClasses, inChannels: o.inChannels, strides: o.strides, featChannels: 8, stackedConvs: 1, seed: o.seed });
    });
    const d = new MultiModalDetector(microConfig({ heads: { sar: { type: 'gfl-test-light', options: { note: 1 } } } }));
    expect(d.modalities).toEqual(['sar']);
    expect(seen).toMatchObject({ numClasses: 6, inChannels: 16, strides: [8, 16], options: { note: 1 } });
    d.dispose();
  });

  it('errors: unknown type lists the registered ones, a second registration needs replace, a wrong class count is caught', () => {
    expect(() => createHead('nope', { numClasses: 2, inChannels: 8, strides: [8], seed: 0, options: {} })).toThrow(/unknown head type "nope" \(registered: .*gfl.*rotated-fcos/);
    expect(() => registerHeadType('gfl', () => null as never)).toThrow(/already registered/);
    registerHeadType('bad-count', (o) => new GflHead({ numClasses: o.numClasses + 1, inChannels: o.inChannels, strides: o.strides, featChannels: 8, stackedConvs: 1 }));
    expect(() => createHead('bad-count', { numClasses: 2, inChannels: 8, strides: [8], seed: 0, options: {} })).toThrow(/built a head with 3 classes, asked for 2/);
  });
});
