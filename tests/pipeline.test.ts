// The whole `babelrs demo` job on a tiny configuration, twice with the same seed: files →
// samples → crops → shared encoder + concept head → accuracy and oracle-box mAP / H-mAP →
// report.json, model.safetensors, train.jsonl.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsFile, initBackend, loadSafetensorsIntoModule, parseTelemetryJsonl, tf, type StepEvent } from '@babelrs/core';
import { classesOfModality, type Modality } from '@babelrs/datasets';
import { ConceptClassifier, ORACLE_BOX_LABEL, runCli, runDemo, type DemoReport, type DemoResult } from '@babelrs/trainer';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-pipeline-'));
const config = { images: 40, steps: 200, batch: 16, cropSize: 16, hidden: 64, embed: 32, seed: 3, backend: 'wasm' as const, log: null };
const MODS: Modality[] = ['sar', 'rgb', 'ir'];

let a: DemoResult;
let b: DemoResult;
let tensorsBefore = 0;
let tensorsAfter = 0;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  tensorsBefore = tf.memory().numTensors;
  a = await runDemo({ ...config, out: path.join(tmp, 'a') });
  tensorsAfter = tf.memory().numTensors;
  b = await runDemo({ ...config, out: path.join(tmp, 'b') });
}, 240_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The parts of a report fixed by options and seed (not time, paths or machine). */
function deterministicPart(r: DemoReport) {
  const { timings: _t, files: _f, backend: _b, data, ...rest } = r;
  return { ...rest, data: { images: data.images, crops: data.crops } };
}

describe('babelrs demo, end to end', () => {
  it('writes a report that says what ran and what did not, with the options it ran', () => {
    const r = a.report;
    expect(r.kind).toBe('babelrs-demo-report');
    expect(r.version).toBe(1);
    expect(r.whatRan).toMatch(/smallest real end-to-end run/);
    expect(r.notRun.join(' ')).toMatch(/CSIA/);
    expect(r.notRun.join(' ')).toMatch(/oracle-box/);
    expect(r.options).toMatchObject({ seed: 3, imagesPerModality: 40, steps: 200, batch: 16, precision: 'fp16', cropSize: 16 });
    expect(r.backend.name).toBe('wasm');
    // mini-SOI splits 0.8 / 0.1 / 0.1 in index order; the demo loads train and test.
    for (const m of MODS) {
      expect(r.data.images[`${m}/train`]).toBe(32);
      expect(r.data.images[`${m}/test`]).toBe(4);
      expect(r.data.crops.train[m]).toBeGreaterThanOrEqual(2 * 32);
      expect(r.data.crops.test[m]).toBeGreaterThanOrEqual(2 * 4);
    }
    expect(r.data.status).toBe('generated');
    expect(r.model.vocabulary.length).toBe(19);
    expect(r.model.parameters).toBe(3 * 16 * 16 * 64 + 64 + 2 * 64 + 64 * 32 + 32 + 32 * 19 + 19);
    expect(r.training.ratios).toEqual({ sar: 2, rgb: 1, ir: 1 });
    expect(r.training.precisionNote).toMatch(/EMULATED/);
    expect(r.evaluation.oracleBox.label).toBe(ORACLE_BOX_LABEL);
    expect(Object.fromEntries(MODS.map((m) => [m, r.evaluation.oracleBox.perModality[m]!.protocol]))).toEqual({ sar: 'coco', rgb: 'soi', ir: 'soi' });
    for (const m of MODS) {
      expect(r.evaluation.crops[m]).toBe(r.data.crops.test[m]);
      for (const v of [r.evaluation.top1[m]!, r.evaluation.oracleBox.perModality[m]!.mAP]) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThanOrEqual(1);
    }
    // H-mAP is a harmonic mean: between the smallest and the largest per-modality mAP.
    const maps = MODS.map((m) => r.evaluation.oracleBox.perModality[m]!.mAP);
    expect(r.evaluation.oracleBox.hmap).toBeGreaterThanOrEqual(Math.min(...maps) - 1e-12);
    expect(r.evaluation.oracleBox.hmap).toBeLessThanOrEqual(Math.max(...maps) + 1e-12);
    expect(a.summary).toMatch(/oracle-box mAP \(classification only; no localisation yet\)/);
    expect(a.summary).toMatch(/NOT run/);
  });

  it('writes report.json, model.safetensors and train.jsonl that parse back', () => {
    const { files } = a.report;
    expect(JSON.parse(fs.readFileSync(files.report, 'utf8'))).toEqual(JSON.parse(JSON.stringify(a.report)));
    const st = SafetensorsFile.open(files.weights);
    try {
      expect(JSON.parse(st.metadata.vocabulary)).toEqual(a.report.model.vocabulary);
    } finally {
      st.close();
    }
    const model = new ConceptClassifier({ inFeatures: 3 * 16 * 16, numConcepts: 19, hidden: 64, embed: 32 });
    const load = loadSafetensorsIntoModule(model, files.weights); // strict: throws on any missing key
    expect(load.loaded.length).toBe(8);
    model.dispose();
    const events = parseTelemetryJsonl(fs.readFileSync(files.telemetry, 'utf8'), files.telemetry);
    const steps = events.filter((e): e is StepEvent & { time: string } => e.type === 'step');
    expect(steps.length).toBe(200);
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    for (const s of steps) expect(Number.isFinite(s.lossScale) && s.lossScale > 0).toBe(true);
    expect(events.filter((e) => e.type === 'eval').length).toBe(1);
    expect(events.filter((e) => e.type === 'checkpoint').length).toBe(1);
    // No stray temp files from the atomic writes.
    expect(fs.readdirSync(path.dirname(files.report)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('learns: loss falls and every modality beats guessing among its classes', () => {
    const r = a.report;
    expect(r.training.finalLoss).toBeLessThan(r.training.firstLoss * 0.6);
    for (const m of MODS) expect(r.evaluation.top1[m]!).toBeGreaterThan(1 / classesOfModality(m).length);
    expect(r.evaluation.top1HarmonicMean).toBeGreaterThan(1 / 5);
  });

  it('keeps tf.memory().numTensors constant across training steps and frees everything at the end', () => {
    const t = a.report.training.liveTensors;
    expect(t.afterLastStep).toBe(t.afterFirstStep);
    expect(t.max).toBe(t.afterFirstStep);
    expect(tensorsAfter).toBe(tensorsBefore);
  });

  it('gives the same numbers and the same weights for the same seed', () => {
    expect(deterministicPart(b.report)).toEqual(deterministicPart(a.report));
    expect(fs.readFileSync(b.report.files.weights).equals(fs.readFileSync(a.report.files.weights))).toBe(true);
    const losses = (file: string) => parseTelemetryJsonl(fs.readFileSync(file, 'utf8')).flatMap((e) => (e.type === 'step' ? [e.loss] : []));
    expect(losses(b.report.files.telemetry)).toEqual(losses(a.report.files.telemetry));
  });
});

describe('babelrs demo through the CLI', () => {
  it('runs with every option given on the command line and exits 0', async () => {
    const out = path.join(tmp, 'cli');
    const lines: string[] = [];
    const argv = ['demo', '--out', out, '--seed', '5', '--images', '10', '--steps', '4', '--batch', '8', '--precision', 'bf16', '--backend', 'cpu'];
    const code = await runCli(argv, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    expect(code).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as DemoReport;
    expect(report.options).toMatchObject({ seed: 5, imagesPerModality: 10, steps: 4, batch: 8, precision: 'bf16' });
    expect(report.backend.name).toBe('cpu');
    // bf16 has fp32's exponent range: no loss scaling.
    expect(report.training.finalLossScale).toBe(1);
    expect(lines.join('\n')).toMatch(/what ran/);
  });
});
