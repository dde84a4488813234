import { describe, expect, it } from 'vitest';
import { unifiedClassId, type DetectionSample } from '@babelrs/datasets';
import { buildConceptVocabulary } from './concept-vocabulary.js';
import type { CropDataset } from './crop-dataset.js';
import { ORACLE_BOX_LABEL, evaluatePredictions } from './evaluate.js';

const vocab = buildConceptVocabulary();
const V = vocab.concepts.length;
const concept = (name: string) => vocab.concepts.indexOf(name);

// One SAR image with a ship and an aircraft, one RGB image with a ship.
const samples: DetectionSample[] = [
  { id: 'sar/test/a', modality: 'sar', imagePath: 'a.png', width: 64, height: 64, boxType: 'hbb', boxes: new Float64Array([0, 0, 10, 10, 30, 30, 50, 40]), labels: Int32Array.from([unifiedClassId('sar', 'ship'), unifiedClassId('sar', 'aircraft')]), difficult: new Uint8Array(2) },
  { id: 'rgb/test/b', modality: 'rgb', imagePath: 'b.png', width: 64, height: 64, boxType: 'obb', boxes: new Float64Array([20, 20, 16, 4, 0.3]), labels: Int32Array.from([unifiedClassId('rgb', 'ship')]), difficult: new Uint8Array(1) },
];
const crops: CropDataset = {
  size: 1,
  channels: 3,
  pixels: new Float32Array(9),
  items: samples.flatMap((s, si) => Array.from(s.labels, (label, b) => ({ sampleIndex: si, boxIndex: b, modality: s.modality, label, concept: vocab.conceptOfClass[label] }))),
};

/** Probabilities with `p` on the given concept per crop and the rest spread evenly. */
function probs(picks: Array<[string, number]>): Float32Array {
  const out = new Float32Array(picks.length * V);
  picks.forEach(([name, p], i) => {
    out.fill((1 - p) / (V - 1), i * V, (i + 1) * V);
    out[i * V + concept(name)] = p;
  });
  return out;
}

describe('evaluatePredictions', () => {
  it('gives accuracy 1 and oracle-box mAP 1 per modality (H-mAP 1) for a perfect classifier', () => {
    const ev = evaluatePredictions(samples, crops, probs([['ship', 0.9], ['aircraft', 0.8], ['ship', 0.7]]), vocab);
    expect(ev.crops).toEqual({ sar: 2, rgb: 1 });
    expect(ev.top1).toEqual({ sar: 1, rgb: 1 });
    expect(ev.top1HarmonicMean).toBe(1);
    expect(ev.oracleBox.label).toBe(ORACLE_BOX_LABEL);
    // pycocotools-style float sums land within an ulp or so of 1.
    expect(ev.oracleBox.perModality.sar!.protocol).toBe('coco');
    expect(ev.oracleBox.perModality.sar!.mAP).toBeCloseTo(1, 12);
    expect(ev.oracleBox.perModality.rgb!.protocol).toBe('soi');
    expect(ev.oracleBox.perModality.rgb!.mAP).toBeCloseTo(1, 12);
    expect(ev.oracleBox.hmap).toBeCloseTo(1, 12);
  });

  it('scores a confusion by hand: SAR aircraft called ship → SAR accuracy ½, mAP ½', () => {
    // SAR: the ship det (0.9) is a TP for `ship`; the aircraft GT gets a `ship` det with 0.6,
    // a lower-scored FP: ship AP stays 1, aircraft has no detection → AP 0; mean ½.
    const ev = evaluatePredictions(samples, crops, probs([['ship', 0.9], ['ship', 0.6], ['ship', 0.7]]), vocab);
    expect(ev.top1).toEqual({ sar: 0.5, rgb: 1 });
    expect(ev.top1HarmonicMean).toBeCloseTo(2 / (1 / 0.5 + 1), 12);
    expect(ev.oracleBox.perModality.sar!.mAP).toBeCloseTo(0.5, 12);
    expect(ev.oracleBox.perModality.rgb!.mAP).toBeCloseTo(1, 12);
    expect(ev.oracleBox.hmap).toBeCloseTo(2 / 3, 12);
    // Global mAP: mean over the 3 classes with GT (sar ship 1, sar aircraft 0, rgb ship 1).
    expect(ev.oracleBox.mAP).toBeCloseTo(2 / 3, 12);
  });

  it('restricts oracle detections to the modality’s own classes while top-1 uses the whole vocabulary', () => {
    // The RGB crop's best concept is `truck` (IR-only): top-1 is wrong, but the RGB head's best
    // own class is still `ship`, so oracle-box AP stays 1.
    const p = probs([['ship', 0.9], ['aircraft', 0.8], ['truck', 0.5]]);
    p[2 * V + concept('ship')] = 0.3;
    const ev = evaluatePredictions(samples, crops, p, vocab);
    expect(ev.top1.rgb).toBe(0);
    expect(ev.oracleBox.perModality.rgb!.mAP).toBeCloseTo(1, 12);
    expect(ev.majorityBaseline).toEqual({ sar: 0.5, rgb: 1 });
  });

  it('rejects probabilities of the wrong size', () => {
    expect(() => evaluatePredictions(samples, crops, new Float32Array(5), vocab)).toThrow(/expected 3×19 probabilities, got 5/);
  });
});
