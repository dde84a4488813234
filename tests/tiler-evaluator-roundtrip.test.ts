// What the tiler writes, the evaluator reads: split the real DOTA sample into small tiles (some
// objects cut at a border get the devkit's `difficult 2`), then evaluate those tiles' labelTxt
// with babelrs-hmap's DOTA reader, against detections equal to the tiles' GT written as Task1.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { splitDotaDataset } from '@babelrs/datasets';
import { readDotaTxt, writeTask1Txt, type Task1Detection } from '@babelrs/formats';
import { evaluateProtocol, readDotaDataset } from '@babelrs/metrics-hmap';

const SAMPLE = fileURLToPath(new URL('../fixtures/samples/dota/', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-roundtrip-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('tiler → evaluator round trip (difficult 2)', () => {
  it('tiles with difficult-2 objects evaluate; every difficult 2 counts as difficult', async () => {
    const out = path.join(tmp, 'split');
    const report = await splitDotaDataset(SAMPLE, out, { size: 256, gap: 64, thresh: 0.7, belowThreshold: 'difficult', integerCoords: true });
    expect(report.counts.markedDifficult).toBeGreaterThan(0);

    // Perfect detections from the tiles' own labels, one Task1 file per class.
    const labelDir = path.join(out, 'labelTxt');
    const byClass = new Map<string, Task1Detection[]>();
    let difficult2 = 0;
    let objects = 0;
    for (const f of fs.readdirSync(labelDir).sort()) {
      const label = readDotaTxt(path.join(labelDir, f));
      for (const o of label.objects) {
        objects++;
        if (o.difficult === 2) difficult2++;
        const list = byClass.get(o.className) ?? [];
        list.push({ image: f.slice(0, -4), score: 1, poly: o.poly });
        byClass.set(o.className, list);
      }
    }
    expect(difficult2).toBe(report.counts.markedDifficult);
    const task1 = path.join(tmp, 'task1');
    for (const [c, dets] of byClass) writeTask1Txt(path.join(task1, `Task1_${c}.txt`), dets);

    const ds = readDotaDataset(labelDir, task1);
    expect(ds.gts.labels.length).toBe(objects);
    const flagged = ds.gts.difficult.reduce((s, v) => s + v, 0);
    expect(flagged).toBe(difficult2); // the sample has no difficult-1 objects
    const r = evaluateProtocol(ds, 'dota');
    // Detections equal to every GT: all non-difficult GTs found → AP 1 per class.
    for (const c of r.perClass) expect(c.ap, c.name).toBeCloseTo(1, 12);
  });
});
