// Every case of fixtures/metrics-cases (reference numbers from mmdet eval_map, the DOTA
// devkit, pycocotools and SM3Det's eval_rbbox_map) through the in-memory API: all images,
// per modality, H-mAP, and the cheap variants.
import { describe, expect, it } from 'vitest';
import { evaluateByModality, evaluateProtocol, type EvalDataset, type ModalityEvaluation, type ProtocolResult } from './index.js';
import { caseDataset, loadCase, type ReferenceCase } from './testing/reference-case.js';
import { expectAllClose, expectClose, F32_TOL, F64_TOL } from './testing/expect-close.js';


function checkVocBlock(r: ProtocolResult, block: any, label: string): void {
  expectClose(r.mAP, block.mAP_f64, F64_TOL, `${label} mAP_f64`);
  expectClose(r.mAP, block.mAP, F32_TOL, `${label} mAP (float32)`);
  block.per_class.forEach((e: any, k: number) => {
    const c = r.perClass[k];
    expect(c.name).toBe(e.name);
    expect(c.numGts, `${label} ${e.name} num_gts`).toBe(e.num_gts);
    expect(c.numDets, `${label} ${e.name} num_dets`).toBe(e.num_dets);
    expect(c.inMap, `${label} ${e.name} in_map`).toBe(e.in_map);
    expectClose(c.ap, e.ap_f64, F64_TOL, `${label} ${e.name} ap_f64`);
    expectClose(c.ap, e.ap, F32_TOL, `${label} ${e.name} ap`);
  });
}

function checkModalities(ev: ModalityEvaluation, expected: any, check: (r: ProtocolResult, block: any, label: string) => void): void {
  expect(Object.keys(ev.perModality).sort()).toEqual(Object.keys(expected.per_modality).sort());
  for (const [m, block] of Object.entries(expected.per_modality)) check(ev.perModality[m], block, m);
}

function withoutDifficult(ds: EvalDataset): EvalDataset {
  return { ...ds, gts: { ...ds.gts, difficult: new Uint8Array(ds.gts.difficult.length) } };
}

describe.each(['hbb_voc07_11pt_a', 'hbb_voc07_11pt_b', 'hbb_voc_area_a', 'hbb_voc_area_b'])('%s (mmdet eval_map)', (id) => {
  const c: ReferenceCase = loadCase(id);
  const protocol = c.expected.params.eval_mode === '11points' ? 'voc07' : 'voc';
  const ds = caseDataset(c, 'hbb-xyxy');

  it('matches per class, per modality and H-mAP', () => {
    const ev = evaluateByModality(ds, protocol);
    checkVocBlock(ev.all!, c.expected.all, 'all');
    checkModalities(ev, c.expected, checkVocBlock);
    expectClose(ev.hmap, c.expected.H_mAP, F64_TOL, 'H_mAP');
  });

  it('matches the legacy +1 coordinate variant', () => {
    const r = evaluateProtocol(ds, protocol, { legacyPlusOne: true });
    checkVocBlock(r, c.expected.variants.legacy_coordinate_plus1, 'legacy+1');
  });
});

describe('obb_dota_voc07 (DOTA devkit task1)', () => {
  const c = loadCase('obb_dota_voc07');
  const e = c.expected;
  const checkDota = (r: ProtocolResult, block: any, label: string): void => {
    expectClose(r.mAP, block.mAP, F64_TOL, `${label} mAP`);
    expectClose(r.mAPClassesWithGt, block.mAP_classes_with_gt, F64_TOL, `${label} mAP_classes_with_gt`);
    block.per_class.forEach((pc: any, k: number) => {
      expect(r.perClass[k].numGts, `${label} ${pc.name} npos`).toBe(pc.npos);
      expect(r.perClass[k].numDets, `${label} ${pc.name} num_dets`).toBe(pc.num_dets);
      expectClose(r.perClass[k].ap, pc.ap, F64_TOL, `${label} ${pc.name} ap`);
    });
  };

  it('matches on polygons: all, per modality, both H-mAPs', () => {
    const ev = evaluateByModality(caseDataset(c, 'poly'), 'dota');
    checkDota(ev.all!, e.all, 'all');
    checkModalities(ev, e, checkDota);
    expectClose(ev.hmap, e.H_mAP, F64_TOL, 'H_mAP');
    expectClose(ev.hmapClassesWithGt, e.H_mAP_classes_with_gt, F64_TOL, 'H_mAP_classes_with_gt');
  });

  it.each(['le90', 'le135', 'oc'] as const)('gives the same mAP from obb.%s', (conv) => {
    const r = evaluateProtocol(caseDataset(c, conv), 'dota');
    expectClose(r.mAP, e.variants.angle_conventions[conv].mAP, F64_TOL, conv);
  });

  it('matches the all-point (use_07_metric=False) variant, NaN for a class without positives', () => {
    const v = e.variants.devkit_area_all_point;
    const r = evaluateProtocol(caseDataset(c, 'poly'), 'dota', { use07Metric: false });
    expectClose(r.mAP, v.mAP, F64_TOL, 'mAP');
    expectClose(r.mAPClassesWithGt, v.mAP_classes_with_gt, F64_TOL, 'mAP_classes_with_gt');
    v.per_class.forEach((pc: any, k: number) => expectClose(r.perClass[k].ap, pc.ap, F64_TOL, pc.name));
  });

  it('matches mmrotate eval_rbbox_map (voc07 on le90 OBBs), difficult ignored and difficult as GT', () => {
    const ds = caseDataset(c, 'le90');
    const check = (r: ProtocolResult, v: any): void => {
      expectClose(r.mAP, v.mAP, F32_TOL, 'mAP');
      v.per_class.forEach((pc: any, k: number) => {
        expect(r.perClass[k].numGts).toBe(pc.num_gts);
        expectClose(r.perClass[k].ap, pc.ap, F32_TOL, pc.name);
      });
    };
    check(evaluateProtocol(ds, 'voc07'), e.variants.mmrotate_eval_rbbox_map_difficult_ignored);
    check(evaluateProtocol(withoutDifficult(ds), 'voc07'), e.variants.mmrotate_eval_rbbox_map_difficult_as_gt);
  });
});

describe('coco_map_50_95 (pycocotools COCOeval bbox)', () => {
  const c = loadCase('coco_map_50_95');
  const e = c.expected;
  const checkCoco = (r: ProtocolResult, block: any, label: string): void => {
    expectClose(r.mAP, block.mAP, F64_TOL, `${label} mAP`);
    for (const [k, v] of Object.entries(block.stats)) expectClose((r.cocoStats as any)[k], v as number, F64_TOL, `${label} ${k}`);
    block.per_class.forEach((pc: any, k: number) => {
      const rc = r.perClass[k];
      expect(rc.numGts, `${label} ${pc.name} num_gts`).toBe(pc.num_gts);
      expect(rc.numIgnored, `${label} ${pc.name} num_crowd_gts`).toBe(pc.num_crowd_gts);
      expect(rc.inMap).toBe(pc.in_map);
      expectClose(rc.ap, pc.ap, F64_TOL, `${label} ${pc.name} ap`);
      expectClose(rc.ap50, pc.ap50, F64_TOL, `${label} ${pc.name} ap50`);
      expectClose(rc.ap75, pc.ap75, F64_TOL, `${label} ${pc.name} ap75`);
    });
  };

  it('matches stats, per class, per modality and H-mAP', () => {
    const ev = evaluateByModality(caseDataset(c, 'hbb-xywh'), 'coco');
    checkCoco(ev.all!, e.all, 'all');
    checkModalities(ev, e, checkCoco);
    expectClose(ev.hmap, e.H_mAP, F64_TOL, 'H_mAP');
  });
});

describe('obb_soi_map_50_95 (SOI-Det, SM3Det eval_rbbox_map)', () => {
  const c = loadCase('obb_soi_map_50_95');
  const e = c.expected;
  const checkSoi = (r: ProtocolResult, block: any, label: string, tol = F64_TOL): void => {
    expectClose(r.mAP, block.mAP_50_95, tol, `${label} mAP_50_95`);
    expectClose(r.AP50, block.AP50, tol, `${label} AP50`);
    if (block.AP75 !== undefined) expectClose(r.AP75, block.AP75, tol, `${label} AP75`);
    expectAllClose(r.mAPPerThreshold, block.mAP_per_threshold, tol, `${label} mAP_per_threshold`);
    (block.per_class ?? []).forEach((pc: any, k: number) => {
      const rc = r.perClass[k];
      expect(rc.numGts, `${label} ${pc.name} num_gts`).toBe(pc.num_gts);
      expect(rc.numDets, `${label} ${pc.name} num_dets`).toBe(pc.num_dets);
      expect(rc.inMap).toBe(pc.in_map);
      expectAllClose(rc.apPerThreshold, pc.ap, tol, `${label} ${pc.name} ap`);
      expectClose(rc.ap, pc.ap_50_95, tol, `${label} ${pc.name} ap_50_95`);
      expectClose(rc.ap50, pc.ap50, tol, `${label} ${pc.name} ap50`);
    });
    (block.per_class_ap ?? []).forEach((aps: number[], k: number) => expectAllClose(r.perClass[k].apPerThreshold, aps, tol, `${label} class ${k}`));
  };

  it('uses the thresholds 0.05·i, i = 10…19', () => {
    const r = evaluateProtocol(caseDataset(c, 'le90'), 'soi');
    expect(r.iouThresholds).toEqual([0.5, 0.55, 0.6000000000000001, 0.65, 0.7000000000000001, 0.75, 0.8, 0.8500000000000001, 0.9, 0.9500000000000001]);
  });

  it.each(['le90', 'le135', 'oc', 'poly'] as const)('matches all, per modality and H-mAP from %s', (geom) => {
    const ev = evaluateByModality(caseDataset(c, geom), 'soi');
    checkSoi(ev.all!, e.all, 'all');
    checkModalities(ev, e, checkSoi);
    expectClose(ev.hmap, e.H_mAP, F64_TOL, 'H_mAP');
  });

  it('is within 1e-6 of the float32 reference path', () => {
    const v = e.variants.float32_reference;
    const ev = evaluateByModality(caseDataset(c, 'le90'), 'soi');
    checkSoi(ev.all!, v, 'f32', F32_TOL);
    expectClose(ev.hmap, v.H_mAP, F32_TOL, 'H_mAP f32');
  });

  it('matches the loader variant (images without GT dropped) and the difficult-ignored variant', () => {
    const ds = caseDataset(c, 'le90');
    for (const [name, opts] of [
      ['dataset_loader_drops_images_without_gt', { dropImagesWithoutGt: true }],
      ['difficult_ignored', { difficult: 'ignore' as const }],
    ] as const) {
      const v = e.variants[name];
      const ev = evaluateByModality(ds, 'soi', opts);
      checkSoi(ev.all!, v, name);
      if (v.num_images !== undefined) expect(ev.all!.numImages).toBe(v.num_images);
      for (const [m, block] of Object.entries(v.per_modality)) checkSoi(ev.perModality[m], block, `${name} ${m}`);
      expectClose(ev.hmap, v.H_mAP, F64_TOL, `${name} H_mAP`);
    }
  });
});

// The tie-break rule, checked from the other side: reversing the input (image order and
// detection order) must give each tie-sensitive class the reference's `ap_reverse_ties`.
describe.each([
  ['hbb_voc07_11pt_a', 'voc07', 'hbb-xyxy', F32_TOL],
  ['hbb_voc07_11pt_b', 'voc07', 'hbb-xyxy', F32_TOL],
  ['hbb_voc_area_a', 'voc', 'hbb-xyxy', F32_TOL],
  ['hbb_voc_area_b', 'voc', 'hbb-xyxy', F32_TOL],
  ['obb_dota_voc07', 'dota', 'poly', F64_TOL],
  ['coco_map_50_95', 'coco', 'hbb-xywh', F64_TOL],
  ['obb_soi_map_50_95', 'soi', 'le90', F64_TOL],
] as const)('%s: ties broken the other way', (id, protocol, geometry, tol) => {
  it('reproduces ap_reverse_ties of every tie-sensitive class', () => {
    const c = loadCase(id);
    const n = c.images.length;
    const flip = <T extends { image_id: number }>(b: T): T => ({ ...b, image_id: n - 1 - b.image_id });
    const reversed: ReferenceCase = {
      ...c,
      images: [...c.images].reverse().map((im, i) => ({ ...im, id: i })),
      gts: c.gts.map(flip),
      detections: [...c.detections].reverse().map(flip),
    };
    const r = evaluateProtocol(caseDataset(reversed, geometry), protocol);
    const sensitive: any[] = c.expected.tie_sensitive_classes ?? c.expected.tie_sensitive;
    expect(sensitive.length).toBeGreaterThan(0);
    for (const t of sensitive) {
      const pc = r.perClass[t.label];
      const ap = t.iou_thr === undefined ? pc.ap : pc.apPerThreshold![Math.round((t.iou_thr - 0.5) / 0.05)];
      expectClose(ap, t.ap_reverse_ties, tol, `${t.name}${t.iou_thr === undefined ? '' : ` @${t.iou_thr}`}`);
      expect(Math.abs(t.ap_reverse_ties - t.ap_stable)).toBeGreaterThan(tol); // the case really is tie-sensitive
    }
  });
});
