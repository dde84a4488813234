// Shared types of @babelrs/boxes. Boxes are flat row-major number arrays:
// HBB N×4, OBB N×5 (cx, cy, w, h, θ radians), polygon N×8 (x1, y1, …, x4, y4).
// Pixels, x right, y DOWN; a positive θ turns the w-side from +x toward +y (clockwise on
// screen), exactly mmrotate's convention.

/** Horizontal box layouts: corners, top-left + size, centre + size. */
export type HbbFormat = 'xyxy' | 'xywh' | 'cxcywh';

/**
 * OBB angle conventions (mmrotate):
 * - `le90`: w ≥ h, θ ∈ [−π/2, π/2)
 * - `le135`: w ≥ h, θ ∈ [−π/4, 3π/4)
 * - `oc`: θ ∈ (0, π/2], w is the side along θ (w, h unordered)
 */
export type AngleConvention = 'le90' | 'le135' | 'oc';

/** `iou` = |A∩B| / |A∪B|; `iof` = |A∩B| / |A| (A = the box from the first argument). */
export type OverlapMode = 'iou' | 'iof';

export interface HbbIoUOptions {
  mode?: OverlapMode;
  /** Legacy VOC/mmdet rule: width = x2 − x1 + 1 (pixel-inclusive coordinates). */
  legacyPlusOne?: boolean;
}

export interface RotatedIoUOptions {
  mode?: OverlapMode;
}

export interface NmsOptions {
  /** Only boxes with score > scoreThr take part (mmdet's strict rule). */
  scoreThr?: number;
  /** Keep at most this many boxes (applied after suppression). */
  topK?: number;
}

export interface BatchedNmsOptions extends NmsOptions {
  /** Boxes are N×5 OBBs and overlap is rotated IoU. */
  rotated?: boolean;
  /** Suppress across classes too (plain NMS that ignores classIds). */
  classAgnostic?: boolean;
}

export const ANGLE_CONVENTIONS: readonly AngleConvention[] = ['le90', 'le135', 'oc'];
export const HBB_FORMATS: readonly HbbFormat[] = ['xyxy', 'xywh', 'cxcywh'];
