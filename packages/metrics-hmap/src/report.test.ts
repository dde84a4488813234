import { describe, expect, it } from 'vitest';
import { createDataset } from './dataset.js';
import { evaluateModalityDatasets } from './modality-evaluation.js';
import { formatReport, formatSummaryTable, reportJson, soiDetSummary } from './report.js';

const box = (x: number): number[] => [x, 0, x + 10, 10];

/** A one-image dataset whose classes with `hit` get a perfect detection, the others none. */
function perfectOrMissed(classes: string[], hit: boolean[]) {
  return createDataset({
    geometry: 'hbb',
    classes,
    images: [{ name: 'im' }],
    gts: classes.map((c, i) => ({ image: 0, label: c, box: box(20 * i) })),
    dets: classes.flatMap((c, i) => (hit[i] ? [{ image: 0, label: c, box: box(20 * i), score: 0.9 }] : [])),
  });
}

describe('per-modality datasets: global mAP over the union of classes, H-mAP, summary table', () => {
  const ev = evaluateModalityDatasets([
    { modality: 'sar', protocol: 'voc', dataset: perfectOrMissed(['ship'], [true]) },
    { modality: 'rgb', protocol: 'voc', dataset: perfectOrMissed(['plane', 'harbor', 'bridge'], [true, false, false]) },
  ]);

  it('weighs modalities by their class count (mean over the 4 classes), H-mAP = 2 / (1/1 + 1/(1/3))', () => {
    expect(ev.perModality.sar.mAP).toBe(1);
    expect(ev.perModality.rgb.mAP).toBeCloseTo(1 / 3, 15);
    expect(ev.mAP).toBe(0.5);
    expect(ev.hmap).toBeCloseTo(0.5, 15);
    expect(ev.perClass.map((c) => `${c.modality}/${c.name}`)).toEqual(['sar/ship', 'rgb/plane', 'rgb/harbor', 'rgb/bridge']);
  });

  it('summarises per modality AP50/mAP, overall and H-mAP, and prints them in percent', () => {
    const s = soiDetSummary(ev);
    expect(s.rows).toEqual([
      { modality: 'sar', protocol: 'voc', AP50: 1, mAP: 1 },
      { modality: 'rgb', protocol: 'voc', AP50: ev.perModality.rgb.mAP, mAP: ev.perModality.rgb.mAP },
    ]);
    expect(s.overall).toEqual({ AP50: 0.5, mAP: 0.5 });
    const table = formatSummaryTable(s);
    expect(table).toMatch(/sar AP50 +sar mAP +rgb AP50 +rgb mAP +overall AP50 +overall mAP +H-mAP/);
    expect(table).toMatch(/100\.00 +100\.00 +33\.33 +33\.33 +50\.00 +50\.00 +50\.00/);
    expect(formatReport(ev)).toContain('rgb       harbor');
  });

  it('JSON has the documented shape', () => {
    const j = reportJson(ev) as any;
    expect(j.protocol).toBe('voc');
    expect(j.mAP).toBe(0.5);
    expect(j.perClass[0]).toMatchObject({ name: 'ship', ap: 1, modality: 'sar' });
    expect(j.perModality.rgb.mAP).toBeCloseTo(1 / 3, 15);
    expect(j.hmap).toBeCloseTo(0.5, 15);
  });
});
