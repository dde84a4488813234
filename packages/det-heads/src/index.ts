// @babelrs/det-heads: detection heads behind one DetectionHead interface — GflHead (HBB),
// RotatedFcosHead (OBB, le90, KLD), Oriented R-CNN — and the losses, assigners, box coders,
// layers and decoding they are built from.
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
// --- heads helper: one-stage heads (GflHead, RotatedFcosHead) and their layers/losses ---
export type { DecodeOptions, DetectionHead, FeatureLevel, HeadBoxType, HeadDetections, HeadTargets } from './detection-head.js';
export { Conv2d } from './conv2d.js';
export type { Conv2dOptions } from './conv2d.js';
export { GroupNorm } from './group-norm.js';
export { Scale } from './scale.js';
export { ConvNormAct, convTower, type TowerHeadOptions } from './conv-tower.js';
export { priorPoints, squareAnchors } from './prior-points.js';
export type { LevelShape, PriorPoints } from './prior-points.js';
export { GflHead, alignedIouHost } from './gfl-head.js';
export type { GflHeadOptions, GflRaw, GflTargets } from './gfl-head.js';
export { sigmoidFocalLoss, bceWithLogits } from './sigmoid-focal-loss.js';
export type { SigmoidFocalLossOptions } from './sigmoid-focal-loss.js';
export { kldLoss, kldDistance, obbToGaussian } from './kld-loss.js';
export type { KldLossOptions } from './kld-loss.js';
export { distanceAngleToObb, obbToDistanceHost } from './distance-angle-coder.js';
export { rotatedFcosAssign, defaultRegressRanges } from './rotated-fcos-assigner.js';
export type { RotatedFcosAssignOptions, RotatedFcosAssignment } from './rotated-fcos-assigner.js';
export { RotatedFcosHead } from './rotated-fcos-head.js';
export type { RotatedFcosHeadOptions, RotatedFcosRaw, RotatedFcosTargets } from './rotated-fcos-head.js';
// --- end heads helper block ---
// --- oriented-rcnn helper: two-stage Oriented R-CNN head and its pieces ---
export { ORIENTED_RCNN_CPU_OPTIONS, OrientedRcnnHead } from './oriented-rcnn-head.js';
export type { OrientedRcnnHeadOptions, OrientedRcnnRaw } from './oriented-rcnn-head.js';
export { OrientedRpn, OrientedRpnConv } from './oriented-rpn.js';
export type { OrientedRpnOutput } from './oriented-rpn.js';
export { anchorsPerCell, gridAnchors } from './oriented-rpn-anchors.js';
export type { AnchorOptions } from './oriented-rpn-anchors.js';
export { RPN_DELTA_STDS, rpnLoss, rpnTargets, sigmoidBce } from './oriented-rpn-loss.js';
export type { RpnLossOptions, RpnTargets } from './oriented-rpn-loss.js';
export { RPN_PROPOSALS, rpnProposals } from './oriented-rpn-proposals.js';
export type { ProposalOptions, Proposals, RpnLevelValues } from './oriented-rpn-proposals.js';
export { midpointOffsetDecode, midpointOffsetEncode } from './midpoint-offset-coder.js';
export type { MidpointOffsetCoderOptions } from './midpoint-offset-coder.js';
export { ROI_HEAD_DELTA_STDS, normAngleLe90, obbDeltaDecode, obbDeltaEncode } from './roi-head-delta-coder.js';
export type { ObbDeltaCoderOptions } from './roi-head-delta-coder.js';
export { RCNN_TEST, RoiHead, roiDecode, roiLoss, roiTargets } from './roi-head.js';
export type { RoiDecodeOptions, RoiHeadOptions, RoiHeadOutput, RoiSampleOptions, RoiTargets } from './roi-head.js';
export { applyRoiAlignPlan, rotatedRoiAlign, rotatedRoiAlignPlan } from './rotated-roi-align.js';
export type { RoiAlignImpl, RoiAlignPlan, RoiSampleSource, RotatedRoiAlignOptions } from './rotated-roi-align.js';
export { extractRotatedRoiFeatures, mapRoiLevels } from './rotated-roi-align-extractor.js';
export {
  MAX_IOU_IGNORED,
  MAX_IOU_NEGATIVE,
  RCNN_ASSIGN,
  RPN_ASSIGN,
  maxIouAssign,
  rotatedIouAssign,
  samplePositivesNegatives,
} from './rotated-iou-assign.js';
export type { MaxIouAssignOptions, MaxIouAssignment, SampleOptions } from './rotated-iou-assign.js';
// --- end oriented-rcnn helper block ---
