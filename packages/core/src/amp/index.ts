export {
  f32ToF16Bits,
  f16BitsToF32,
  f32ToBf16Bits,
  bf16BitsToF32,
  roundToF16,
  roundToBf16,
  FP16_MAX,
} from './half-float.js';
export {
  PRECISIONS,
  parsePrecision,
  castToPolicy,
  autocast,
  getAutocastPrecision,
  setAutocastPrecision,
  autocastCast,
} from './precision.js';
export type { Precision } from './precision.js';
export { DynamicLossScaler, allFinite } from './loss-scaler.js';
export type { LossScalerOptions, LossScalerState, SteppableOptimizer, UnscaleResult } from './loss-scaler.js';
