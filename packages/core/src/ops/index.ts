export { linear } from './linear.js';
export { matMul, matMulNative, matMulPlain2d } from './mat-mul.js';
export { smoothL1 } from './smooth-l1.js';
export { batchNorm } from './batch-norm.js';
export { layerNorm, layerNormUnfused } from './layer-norm.js';
export { geluErf, geluErfUnfused } from './gelu-erf.js';
export { linear2d, sumColumns } from './linear-2d.js';
