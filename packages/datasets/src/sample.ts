/**
 * The sample type every reader, transform, sampler and the trainer exchange.
 * Plain objects with typed arrays: no tfjs here (this package stays light).
 */

/** The three SOI-Det sensor modalities. */
export type Modality = 'sar' | 'rgb' | 'ir';

export const MODALITIES: readonly Modality[] = ['sar', 'rgb', 'ir'];

/**
 * Box geometry of a sample.
 * - `hbb`: N×4 `[x1, y1, x2, y2]` (pixels, x right, y down, continuous coordinates).
 * - `obb`: N×5 `[cx, cy, w, h, angleRad]` in the `le90` convention (w ≥ h, θ ∈ [−π/2, π/2)),
 *   positive θ turns the w-side from +x towards +y (clockwise on screen), as mmrotate.
 */
export type BoxType = 'hbb' | 'obb';

export interface DetectionSample {
  /** Unique within its dataset (usually the image file stem). */
  id: string;
  modality: Modality;
  /** Absolute or dataset-relative path of the image file. */
  imagePath: string;
  width: number;
  height: number;
  boxType: BoxType;
  /** Row-major N×4 (hbb) or N×5 (obb, le90). */
  boxes: Float64Array;
  /** Class index per box in the unified 26-class SOI-Det space (see `classes.ts`). */
  labels: Int32Array;
  /** 1 where the annotation marks the object difficult (DOTA) or crowd/ignore (COCO). */
  difficult: Uint8Array;
}

/** Number of values per box for a box type. */
export function boxStride(boxType: BoxType): 4 | 5 {
  return boxType === 'hbb' ? 4 : 5;
}

/** Number of boxes in a sample. */
export function sampleBoxCount(s: Pick<DetectionSample, 'boxType' | 'boxes'>): number {
  return s.boxes.length / boxStride(s.boxType);
}
