// @babelrs/boxes — pure TypeScript box geometry: HBB/OBB/polygon conversions, angle
// conventions (le90, le135, oc), exact rotated IoU, NMS. No dependencies, no tfjs.
// All functions take flat row-major arrays (N×4 xyxy, N×5 cx,cy,w,h,θ, N×8 polygons).
export const PACKAGE_NAME = '@babelrs/boxes';

export type {
  AngleConvention,
  BatchedNmsOptions,
  HbbFormat,
  HbbIoUOptions,
  NmsOptions,
  OverlapMode,
  RotatedIoUOptions,
} from './types.js';
export { ANGLE_CONVENTIONS, HBB_FORMATS } from './types.js';
export { BoxesError } from './errors.js';
export { convertHbb } from './hbb-convert.js';
export { convertAngleConvention, normalizeObb } from './angle-convention.js';
export { hbbToObb, hbbToPoly, obbToHbb, obbToPoly, polyToHbb } from './obb-poly.js';
export { polyToObb } from './min-area-rect.js';
export { hbbArea, obbArea, polygonArea } from './area.js';
export { hbbIoU } from './hbb-iou.js';
export { polyIoU, rotatedIoU } from './rotated-iou.js';
export { convexIntersectionArea, convexIntersectionAreaAt } from './convex-intersection.js';
export { clipPolygonToRect } from './clip-polygon.js';
export { batchedNms, nms, rotatedNms } from './nms.js';
export { Boxes, RotatedBoxes } from './structures.js';
export { polygonIntersectionArea } from './polygon-intersection.js';
