// @babelrs/metrics-hmap — detection evaluation for multi-modal remote sensing:
// voc07 / voc (mmdet eval_map), dota (DOTA devkit task1), coco (pycocotools), soi (SOI-Det
// rotated mAP@[.5:.95]); per-class, per-modality and global mAP; H-mAP (harmonic mean of the
// per-modality mAPs). Plain typed arrays, no tfjs.
export const PACKAGE_NAME = '@babelrs/metrics-hmap';

export type {
  BoxGeometry,
  ClassResult,
  CocoStats,
  DetectionTable,
  EvalDataset,
  EvalImage,
  GroundTruthTable,
  ProtocolName,
  ProtocolResult,
} from './types.js';
export { BOX_DIM, PROTOCOL_NAMES } from './types.js';
export { MetricsInputError, UsageError } from './errors.js';
export { FormatError } from '@babelrs/formats';
export type { DatasetObjects, DetectionObject, GroundTruthObject } from './dataset.js';
export { createDataset, modalitiesOf, selectImages, validateDataset } from './dataset.js';
export { areaAP, elevenPointAP, ELEVEN_POINT_THRESHOLDS } from './average-precision.js';
export { evaluateProtocol, type ProtocolOptions } from './protocols/evaluate.js';
export { evaluateVoc, type VocOptions } from './protocols/voc.js';
export { evaluateDota, type DotaOptions } from './protocols/dota.js';
export { evaluateSoi, SOI_IOU_THRESHOLDS, type SoiOptions } from './protocols/soi.js';
export { evaluateCoco, COCO_AREA_RANGES, COCO_IOU_THRESHOLDS, COCO_MAX_DETS, COCO_RECALL_THRESHOLDS } from './protocols/coco.js';
export { harmonicModalityMap } from './hmap.js';
export {
  evaluateByModality,
  evaluateModalityDatasets,
  type ModalityClassResult,
  type ModalityDataset,
  type ModalityEvaluation,
} from './modality-evaluation.js';
export { formatReport, formatSummaryTable, reportJson, soiDetSummary, type SoiDetSummary, type SummaryRow } from './report.js';
export { readCocoDataset, readCocoGroundTruth, readCocoResults, type CocoGroundTruth, type CocoReadOptions, type CocoResultsReadOptions } from './readers/coco-json.js';
export { readDotaDataset, type DotaReadOptions } from './readers/dota-txt.js';
export { applyModalityMap, readModalityMap } from './readers/modality-map.js';
export { loadDataset, type LoadDatasetOptions } from './readers/load-dataset.js';
export { writeFileAtomic } from '@babelrs/formats';
