/**
 * Test support (not exported): loads a case of fixtures/metrics-cases into the in-memory data
 * model. Read with fs at run time (never imported through vitest: the files are large).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDataset, type DetectionObject, type GroundTruthObject } from '../dataset.js';
import type { BoxGeometry, EvalDataset } from '../types.js';

/** The reference cases committed at the repository root (`fixtures/metrics-cases`). */
export const CASES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../fixtures/metrics-cases');

// Shapes of the case JSON, only the fields the tests read.
export interface CaseBox {
  image_id: number;
  label: number;
  difficult?: boolean;
  score?: number;
  bbox?: number[];
  area?: number;
  poly?: number[];
  obb?: Record<'le90' | 'le135' | 'oc', number[]>;
}
export interface ReferenceCase {
  case_id: string;
  box_type: 'hbb' | 'obb';
  box_format: string;
  images: { id: number; name: string; modality: string }[];
  classes: string[];
  modalities: string[];
  gts: CaseBox[];
  detections: CaseBox[];
  // The expected blocks differ per protocol; tests index them by the README's field names.
  expected: any;
}

export function loadCase(id: string): ReferenceCase {
  return JSON.parse(fs.readFileSync(path.join(CASES_DIR, `${id}.json`), 'utf8')) as ReferenceCase;
}

export type CaseGeometry = 'hbb-xyxy' | 'hbb-xywh' | 'poly' | 'le90' | 'le135' | 'oc';

/** The case as an EvalDataset; `geometry` picks which of the case's box fields to use. */
export function caseDataset(c: ReferenceCase, geometry: CaseGeometry): EvalDataset {
  const geom: BoxGeometry = geometry.startsWith('hbb') ? 'hbb' : geometry === 'poly' ? 'poly' : 'obb';
  const box = (b: CaseBox): number[] => {
    if (geometry === 'hbb-xyxy') return b.bbox!;
    if (geometry === 'hbb-xywh') {
      const [x, y, w, h] = b.bbox!;
      return [x, y, x + w, y + h];
    }
    if (geometry === 'poly') return b.poly!;
    return b.obb![geometry];
  };
  const xywhArea = (b: CaseBox): number | undefined => (geometry === 'hbb-xywh' ? b.bbox![2] * b.bbox![3] : undefined);
  const gts: GroundTruthObject[] = c.gts.map((g) => ({
    image: g.image_id,
    label: g.label,
    box: box(g),
    difficult: g.difficult,
    crowd: g.difficult,
    area: geometry === 'hbb-xywh' ? g.area : undefined,
  }));
  const dets: DetectionObject[] = c.detections.map((d) => ({ image: d.image_id, label: d.label, box: box(d), score: d.score!, area: xywhArea(d) }));
  return createDataset({ geometry: geom, classes: c.classes, images: c.images.map((im) => ({ name: im.name, modality: im.modality })), gts, dets });
}
