import fs from 'node:fs';
import { MetricsInputError } from '../errors.js';
import type { EvalDataset } from '../types.js';
import { readCocoDataset } from './coco-json.js';
import { readDotaDataset } from './dota-txt.js';
import { applyModalityMap, readModalityMap } from './modality-map.js';

export interface LoadDatasetOptions {
  /** COCO instances JSON file, or a DOTA `labelTxt/` folder. */
  gt: string;
  /** COCO results JSON file, or a folder of `Task1_<class>.txt` files. */
  dets: string;
  classes?: string[];
  /** `{ image name: modality }` JSON file. */
  modalitiesFile?: string;
  /** Every image gets this modality (one dataset per modality). */
  modality?: string;
  /**
   * COCO results only: keep the best N detections per (image, category) while reading
   * (the coco protocol's cut, 100; see `readCocoResults`). DOTA folders are read whole.
   */
  maxDetsPerImageClass?: number;
}

function kindOf(p: string): 'dir' | 'file' {
  try {
    return fs.statSync(p).isDirectory() ? 'dir' : 'file';
  } catch {
    throw new MetricsInputError(p, 'file or folder not found');
  }
}

/**
 * Loads ground truth + detections in whichever format they come (a `.json` GT = COCO,
 * a folder = DOTA), then assigns modalities.
 */
export function loadDataset(opts: LoadDatasetOptions): EvalDataset {
  const gtKind = kindOf(opts.gt);
  const detKind = kindOf(opts.dets);
  let ds: EvalDataset;
  if (gtKind === 'file' && detKind === 'file') ds = readCocoDataset(opts.gt, opts.dets, { classes: opts.classes, maxDetsPerImageClass: opts.maxDetsPerImageClass });
  else if (gtKind === 'dir' && detKind === 'dir') ds = readDotaDataset(opts.gt, opts.dets, { classes: opts.classes });
  else {
    throw new MetricsInputError(opts.dets, `format mismatch: ground truth ${opts.gt} is a ${gtKind === 'file' ? 'COCO JSON file' : 'DOTA folder'}, so detections must be a ${gtKind === 'file' ? 'COCO results JSON file' : 'folder of Task1_<class>.txt files'}`);
  }
  if (opts.modalitiesFile) applyModalityMap(ds.images, readModalityMap(opts.modalitiesFile), opts.modalitiesFile);
  else if (opts.modality) for (const im of ds.images) im.modality = opts.modality;
  return ds;
}
