// Hand-computed cases, one per rule of each protocol.
import { describe, expect, it } from 'vitest';
import { createDataset, type DetectionObject, type GroundTruthObject } from '../dataset.js';
import type { BoxGeometry } from '../types.js';
import { evaluateByModality } from '../modality-evaluation.js';
import { evaluateProtocol } from './evaluate.js';

const box = (x: number, y: number, w = 10, h = 10): number[] => [x, y, x + w, y + h];

function ds(gts: GroundTruthObject[], dets: DetectionObject[], opts: { classes?: string[]; images?: number; geometry?: BoxGeometry } = {}) {
  const images = Array.from({ length: opts.images ?? 2 }, (_, i) => ({ name: `im${i}`, modality: i % 2 ? 'ir' : 'rgb' }));
  return createDataset({ geometry: opts.geometry ?? 'hbb', classes: opts.classes ?? ['a', 'b'], images, gts, dets });
}

describe('voc / voc07 (mmdet eval_map)', () => {
  it('equal scores keep input order: the earlier duplicate takes the GT', () => {
    // Two dets with equal score on one GT: the first (in input order) is the TP.
    // Order TP, FP → AP 1; had the FP come first, precision at recall 1 would be 1/2.
    const d = ds([{ image: 0, label: 0, box: box(0, 0) }], [
      { image: 0, label: 0, box: box(0, 0), score: 0.5 },
      { image: 0, label: 0, box: box(0, 0), score: 0.5 },
    ]);
    const r = evaluateProtocol(d, 'voc');
    expect(r.perClass[0].ap).toBe(1);
    // Across images too: image order, then input order.
    const d2 = ds([{ image: 1, label: 0, box: box(0, 0) }], [
      { image: 1, label: 0, box: box(0, 0), score: 0.5 },
      { image: 0, label: 0, box: box(50, 50), score: 0.5 },
    ]);
    // image 0's FP ranks first: recall 0 then 1 at precision 1/2 → area AP 1/2
    expect(evaluateProtocol(d2, 'voc').perClass[0].ap).toBe(0.5);
  });

  it('a duplicate of a taken GT is an FP, with no fallback to the second-best GT', () => {
    // GT1 at x=0, GT2 at x=1 (IoU(GT1,GT2) = 90/110). Det1 = GT1 exactly. Det2 = GT1 too:
    // its argmax is the taken GT1 (IoU 1) though GT2 also exceeds 0.5 → FP, GT2 stays missed.
    const d = ds(
      [
        { image: 0, label: 0, box: box(0, 0) },
        { image: 0, label: 0, box: box(1, 0) },
      ],
      [
        { image: 0, label: 0, box: box(0, 0), score: 0.9 },
        { image: 0, label: 0, box: box(0, 0), score: 0.8 },
      ],
    );
    const r = evaluateProtocol(d, 'voc');
    // TP (rec .5, prec 1), FP (rec .5, prec .5) → AP .5
    expect(r.perClass[0].ap).toBe(0.5);
    // pycocotools falls back instead: det2 takes GT2 (IoU 90/110 ≥ .5) → AP ≈ 1 at t = .5
    const c = evaluateProtocol(d, 'coco');
    expect(c.perClass[0].apPerThreshold![0]).toBeCloseTo(1 / (1 + 2.220446049250313e-16), 14);
  });

  it('difficult GTs: not positives, a det on them is neither TP nor FP', () => {
    const d = ds(
      [
        { image: 0, label: 0, box: box(0, 0), difficult: true },
        { image: 0, label: 0, box: box(50, 0) },
      ],
      [
        { image: 0, label: 0, box: box(0, 0), score: 0.9 }, // on the difficult GT: ignored
        { image: 0, label: 0, box: box(50, 0), score: 0.8 },
      ],
    );
    const r = evaluateProtocol(d, 'voc07');
    expect(r.perClass[0].numGts).toBe(1);
    expect(r.perClass[0].numIgnored).toBe(1);
    expect(r.perClass[0].ap).toBe(1);
    // soi counts the difficult GT as an ordinary positive: 2 TPs out of 2
    expect(evaluateProtocol(d, 'soi').perClass[0].numGts).toBe(2);
  });

  it('classes without GT leave the mean; classes with GT and no detections count as 0; empty images are fine', () => {
    const d = ds(
      [{ image: 0, label: 0, box: box(0, 0) }, { image: 0, label: 2, box: box(30, 30) }],
      [{ image: 0, label: 0, box: box(0, 0), score: 0.9 }, { image: 1, label: 1, box: box(0, 0), score: 0.9 }],
      { classes: ['a', 'no-gt', 'no-dets'], images: 3 },
    );
    const r = evaluateProtocol(d, 'voc');
    expect(r.perClass.map((c) => [c.name, c.ap, c.inMap])).toEqual([
      ['a', 1, true],
      ['no-gt', 0, false],
      ['no-dets', 0, true],
    ]);
    expect(r.mAP).toBe(0.5);
    // the DOTA devkit averages over the whole class list instead
    const dota = evaluateProtocol(d, 'dota');
    expect(dota.mAP).toBeCloseTo(1 / 3, 15);
    expect(dota.mAPClassesWithGt).toBeCloseTo(0.5, 15);
  });

  it('legacy +1: a 10×10 det shifted by 3.5 px has IoU 0.480 (< .5) but 0.5 with +1 widths', () => {
    // plain: inter 6.5·10 = 65, union 135 → 0.481; +1: inter 7.5·11 = 82.5, union 159.5 → 0.517
    const d = ds([{ image: 0, label: 0, box: box(0, 0) }], [{ image: 0, label: 0, box: box(3.5, 0), score: 0.9 }]);
    expect(evaluateProtocol(d, 'voc').mAP).toBe(0);
    expect(evaluateProtocol(d, 'voc', { legacyPlusOne: true }).mAP).toBe(1);
  });
});

describe('evaluateByModality', () => {
  it('evaluates each modality on its own images; H-mAP is NaN when no image has a modality', () => {
    const d = ds([{ image: 0, label: 0, box: box(0, 0) }, { image: 1, label: 0, box: box(0, 0) }], [{ image: 0, label: 0, box: box(0, 0), score: 0.9 }]);
    const ev = evaluateByModality(d, 'voc');
    expect(ev.perModality.rgb.mAP).toBe(1);
    expect(ev.perModality.ir.mAP).toBe(0);
    expect(ev.hmap).toBe(0);
    expect(ev.mAP).toBe(0.5);
    const none = evaluateByModality({ ...d, images: d.images.map((im) => ({ name: im.name })) }, 'voc');
    expect(Object.keys(none.perModality)).toEqual([]);
    expect(Number.isNaN(none.hmap)).toBe(true);
  });
});

describe('dota (devkit task1)', () => {
  it('breaks equal scores by input (file line) order, not image order', () => {
    // Same two tied dets: a TP on image 1 listed first, an FP on image 0 listed second.
    const d = ds([{ image: 1, label: 0, box: box(0, 0) }], [
      { image: 1, label: 0, box: box(0, 0), score: 0.5 },
      { image: 0, label: 0, box: box(50, 50), score: 0.5 },
    ]);
    // devkit: TP first → precision 1 at recall 1 → 11-point AP 1
    expect(evaluateProtocol(d, 'dota').perClass[0].ap).toBe(1);
    // mmdet concatenates per image (image 0 first): FP, TP → precision 1/2 at recall 1
    expect(evaluateProtocol(d, 'voc07').perClass[0].ap).toBe(0.5);
  });

  it('needs IoU strictly above 0.5, where mmdet accepts IoU = 0.5', () => {
    // det [0,10]x[0,10] vs GT [0,10]x[0,5]∪…: GT 10×20, det 10×10 inside → IoU 100/200 = 0.5 exactly
    const d = ds([{ image: 0, label: 0, box: box(0, 0, 10, 20) }], [{ image: 0, label: 0, box: box(0, 0), score: 0.9 }]);
    expect(evaluateProtocol(d, 'voc07').mAP).toBe(1);
    expect(evaluateProtocol(d, 'dota').mAP).toBe(0);
  });
});

describe('soi (SOI-Det rotated mAP@[.5:.95])', () => {
  it('the README hand case: last TP with IoU 2/3 gives AP 5/6 at 4 thresholds, 1/2 at 6 → 0.6333…', () => {
    // OBBs (cx, cy, w, h, θ): GT1 unit-ish box; GT2 3×1; det3 covers 2/3 of GT2.
    const gts = [
      { image: 0, label: 0, box: [5, 5, 4, 2, 0] },
      { image: 0, label: 0, box: [21.5, 5.5, 3, 1, 0] },
    ];
    const dets = [
      { image: 0, label: 0, box: [5, 5, 4, 2, 0], score: 0.9 }, // IoU 1
      { image: 0, label: 0, box: [50, 50, 4, 2, 0], score: 0.8 }, // FP
      { image: 0, label: 0, box: [21, 5.5, 2, 1, 0], score: 0.7 }, // IoU 2/3
    ];
    const r = evaluateProtocol(ds(gts, dets, { geometry: 'obb', images: 1 }), 'soi');
    const a = r.perClass[0].apPerThreshold!;
    for (let t = 0; t < 4; t++) expect(a[t]).toBeCloseTo(5 / 6, 12);
    for (let t = 4; t < 10; t++) expect(a[t]).toBeCloseTo(1 / 2, 12);
    expect(r.mAP).toBeCloseTo(0.63333333333333, 12);
    expect(r.AP50).toBeCloseTo(5 / 6, 12);
    expect(r.AP75).toBeCloseTo(1 / 2, 12);
  });

  it('rotated geometry: the same box with w/h swapped and θ + π/2 matches exactly', () => {
    const d = ds([{ image: 0, label: 0, box: [100, 100, 40, 10, 0.3] }], [{ image: 0, label: 0, box: [100, 100, 10, 40, 0.3 + Math.PI / 2], score: 0.5 }], {
      geometry: 'obb',
      images: 1,
    });
    expect(evaluateProtocol(d, 'soi').mAP).toBeCloseTo(1, 12);
  });
});

describe('coco (pycocotools)', () => {
  const ONE = 1 / (1 + 2.220446049250313e-16); // precision of a lone TP in pycocotools

  it('area bounds are inclusive: a 32×32 GT (area 1024) is small AND medium', () => {
    const d = ds([{ image: 0, label: 0, box: box(0, 0, 32, 32), area: 1024 }], [{ image: 0, label: 0, box: box(0, 0, 32, 32), score: 0.9, area: 1024 }]);
    const s = evaluateProtocol(d, 'coco').cocoStats!;
    expect(s.AP_small).toBeCloseTo(ONE, 15);
    expect(s.AP_medium).toBeCloseTo(ONE, 15);
    expect(s.AP_large).toBe(-1); // no large GT: pycocotools' −1
  });

  it('the maxDets=100 cut falls inside tied scores by input order', () => {
    // 101 dets, all score 0.5, on one image; only the LAST one (input order) hits the GT,
    // so the per-image top-100 cut drops it: AP 0. Moving it first gives AP ≈ 1.
    const gts = [{ image: 0, label: 0, box: box(0, 0) }];
    const far = Array.from({ length: 100 }, (_, i) => ({ image: 0, label: 0, box: box(100 + 20 * i, 500), score: 0.5 }));
    const hit = { image: 0, label: 0, box: box(0, 0), score: 0.5 };
    expect(evaluateProtocol(ds(gts, [...far, hit]), 'coco').mAP).toBe(0);
    const first = evaluateProtocol(ds(gts, [hit, ...far]), 'coco');
    expect(first.mAP).toBeCloseTo(ONE, 15);
    expect(first.cocoStats!.AR1).toBe(1);
  });

  it('crowd GTs are matched by IoF, absorb many dets, and are never positives', () => {
    const d = ds(
      [
        { image: 0, label: 0, box: box(0, 0, 100, 100), crowd: true },
        { image: 0, label: 0, box: box(200, 200) },
      ],
      [
        { image: 0, label: 0, box: box(10, 10), score: 0.9 }, // inside the crowd: IoF 1 → ignored
        { image: 0, label: 0, box: box(30, 30), score: 0.8 }, // also ignored (crowd can match again)
        { image: 0, label: 0, box: box(200, 200), score: 0.7 }, // TP
      ],
    );
    const r = evaluateProtocol(d, 'coco');
    expect(r.perClass[0].numGts).toBe(1);
    expect(r.perClass[0].numIgnored).toBe(1);
    expect(r.mAP).toBeCloseTo(ONE, 15);
  });

  it('a class without GT is left out (NaN per class, −1 stats when nothing has GT)', () => {
    const d = ds([], [{ image: 0, label: 0, box: box(0, 0), score: 0.9 }]);
    const r = evaluateProtocol(d, 'coco');
    expect(Number.isNaN(r.perClass[0].ap)).toBe(true);
    expect(r.cocoStats!.AP).toBe(-1);
    expect(r.mAP).toBe(0);
  });

  it('rejects non-HBB geometry', () => {
    const d = ds([], [], { geometry: 'obb' });
    expect(() => evaluateProtocol(d, 'coco')).toThrow(/coco protocol needs HBB/);
  });
});
