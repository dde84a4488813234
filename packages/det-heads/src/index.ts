// @babelrs/det-heads: detection-head pieces. Available now: the GFL (Generalized Focal Loss)
// losses, decoding of distance distributions, GIoU loss, box⇄distance coding and the ATSS
// assigner. The head modules and post-processing are planned (README).
export { DetHeadInputError } from './errors.js';
export type { HostValues } from './host-values.js';
export { reduceLoss } from './reduction.js';
export type { Reduction, ReduceOptions } from './reduction.js';
export { integralDistribution } from './integral.js';
export { distributionFocalLoss } from './distribution-focal-loss.js';
export { qualityFocalLoss } from './quality-focal-loss.js';
export type { QualityFocalLossOptions } from './quality-focal-loss.js';
export { alignedGiou, giouLoss } from './giou-loss.js';
export { distanceToBox, boxToDistance } from './box-distance.js';
export { atssAssign } from './atss-assigner.js';
export type { AtssAssignment, AtssOptions } from './atss-assigner.js';
