/**
 * The plain evaluation data model: a dataset is a list of images (each with an optional
 * modality), a class list, and two column tables (ground truths and detections) over flat
 * typed arrays, so million-detection evaluations stay cheap in memory.
 */

/**
 * Box geometry of every row in a dataset:
 * - `hbb`: horizontal box `[x1, y1, x2, y2]` (4 numbers per row), pixels, y down;
 * - `obb`: oriented box `[cx, cy, w, h, θ]` (5 per row), θ in radians, `le90` convention;
 * - `poly`: DOTA quadrilateral `[x1, y1, …, x4, y4]` (8 per row).
 */
export type BoxGeometry = 'hbb' | 'obb' | 'poly';

/** Numbers per row for each geometry. */
export const BOX_DIM: Readonly<Record<BoxGeometry, number>> = { hbb: 4, obb: 5, poly: 8 };

export interface EvalImage {
  /** File name or id as the user knows it (used in error messages and readers). */
  name: string;
  /** Sensor modality (e.g. `rgb`, `sar`, `ir`); images without one belong to no modality. */
  modality?: string;
}

export interface GroundTruthTable {
  /** [N, dim] row-major boxes in the dataset's geometry. */
  boxes: Float64Array;
  /** [N] class index into `classes`. */
  labels: Int32Array;
  /** [N] index into `images`. */
  imageIndex: Int32Array;
  /** [N] 1 = difficult / ignored (VOC and DOTA protocols: neither positive nor negative). */
  difficult: Uint8Array;
  /** [N] 1 = COCO `iscrowd` (coco protocol only: matched by IoF, never a positive). Defaults to `difficult`. */
  crowd?: Uint8Array;
  /** [N] COCO `area` field, used for the coco area ranges. Defaults to the box area. */
  area?: Float64Array;
  /**
   * [N] hbb only: w·h of the box as written in xywh (COCO). pycocotools' IoU divides by w·h,
   * which can differ from (x2 − x1)·(y2 − y1) in the last bit and flip a threshold; the COCO
   * reader fills it so the coco protocol is exact. Defaults to (x2 − x1)·(y2 − y1).
   */
  boxArea?: Float64Array;
}

export interface DetectionTable {
  /** [N, dim] row-major boxes in the dataset's geometry. */
  boxes: Float64Array;
  /** [N] class index into `classes`. */
  labels: Int32Array;
  /** [N] index into `images`. */
  imageIndex: Int32Array;
  /** [N] confidence; higher first. Ties keep input order (see README, "Tie-break"). */
  scores: Float64Array;
  /** [N] area used by the coco protocol's area ranges (COCO results: w·h). Defaults to the box area. */
  area?: Float64Array;
  /** [N] hbb only: w·h of the xywh box, as for `GroundTruthTable.boxArea`. */
  boxArea?: Float64Array;
}

export interface EvalDataset {
  geometry: BoxGeometry;
  classes: string[];
  images: EvalImage[];
  gts: GroundTruthTable;
  dets: DetectionTable;
}

export type ProtocolName = 'voc07' | 'voc' | 'dota' | 'coco' | 'soi';

export const PROTOCOL_NAMES: readonly ProtocolName[] = ['voc07', 'voc', 'dota', 'coco', 'soi'];

/** Per-class outcome of one protocol run. */
export interface ClassResult {
  label: number;
  name: string;
  /** The protocol's primary AP for this class (coco/soi: mean over IoU .50:.95). */
  ap: number;
  /** GTs that count as positives under the protocol (difficult excluded for voc/dota). */
  numGts: number;
  numDets: number;
  /** GTs of the class that are ignored: difficult (voc/dota), crowd (coco); 0 for soi. */
  numIgnored?: number;
  /** Whether the class enters the protocol's mean. */
  inMap: boolean;
  ap50?: number;
  ap75?: number;
  /** soi / coco: AP at each IoU threshold of `iouThresholds`. */
  apPerThreshold?: number[];
}

/** pycocotools `COCOeval.stats`, by name (−1 where pycocotools prints −1). */
export interface CocoStats {
  AP: number;
  AP50: number;
  AP75: number;
  AP_small: number;
  AP_medium: number;
  AP_large: number;
  AR1: number;
  AR10: number;
  AR100: number;
  AR_small: number;
  AR_medium: number;
  AR_large: number;
}

export interface ProtocolResult {
  protocol: ProtocolName;
  /** The protocol's primary number (voc/dota: AP@0.5; coco/soi: mAP@[.5:.95]). */
  mAP: number;
  AP50?: number;
  AP75?: number;
  perClass: ClassResult[];
  /** dota: mean over classes with positives only (mmrotate convention); `mAP` is the devkit mean over all classes. */
  mAPClassesWithGt?: number;
  /** soi / coco: the IoU thresholds, and the mAP at each. */
  iouThresholds?: number[];
  mAPPerThreshold?: number[];
  /** coco: the twelve pycocotools summary numbers. */
  cocoStats?: CocoStats;
  numImages: number;
}
