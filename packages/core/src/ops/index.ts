export { linear } from './linear.js';
export { matMul, matMulNative, matMulPlain2d } from './mat-mul.js';
export { smoothL1 } from './smooth-l1.js';
export { batchNorm } from './batch-norm.js';
