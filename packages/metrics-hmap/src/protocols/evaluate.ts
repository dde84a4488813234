import { validateDataset } from '../dataset.js';
import { MetricsInputError } from '../errors.js';
import type { EvalDataset, ProtocolName, ProtocolResult } from '../types.js';
import { evaluateCoco } from './coco.js';
import { evaluateDota, type DotaOptions } from './dota.js';
import { evaluateSoi, type SoiOptions } from './soi.js';
import { evaluateVoc, type VocOptions } from './voc.js';

/** Options of every protocol; each protocol reads the ones that apply to it. */
export interface ProtocolOptions extends VocOptions, DotaOptions, SoiOptions {}

/** Runs one protocol on a whole dataset (all images, modalities ignored). */
export function evaluateProtocol(ds: EvalDataset, protocol: ProtocolName, opts: ProtocolOptions = {}): ProtocolResult {
  validateDataset(ds);
  switch (protocol) {
    case 'voc07':
    case 'voc':
      return evaluateVoc(ds, protocol, opts);
    case 'dota':
      return evaluateDota(ds, opts);
    case 'coco':
      return evaluateCoco(ds);
    case 'soi':
      return evaluateSoi(ds, opts);
    default:
      throw new MetricsInputError('protocol', `unknown protocol "${String(protocol)}" (voc07, voc, dota, coco or soi)`);
  }
}
