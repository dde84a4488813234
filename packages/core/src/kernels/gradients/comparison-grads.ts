// Zero gradients for comparison and logical ops. Their outputs are piecewise constant (bool), so
// the true derivative is 0 — but tfjs registers no gradient for them, and any backward pass that
// sees them on the path (e.g. `where(less(abs(d), beta), …)` in a smooth-L1 loss) throws
// "gradient function not found". Registering zeros makes that pattern differentiate correctly.
import type { GradConfig, Tensor } from '@tensorflow/tfjs';
import { tf } from '../../backend/tf.js';

const BINARY = ['Less', 'LessEqual', 'Greater', 'GreaterEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr'];
const UNARY = ['LogicalNot', 'IsNan', 'IsInf', 'IsFinite'];

function zerosFor(t: Tensor): Tensor {
  return tf.zeros(t.shape, 'float32');
}

export const comparisonGradConfigs: GradConfig[] = [
  ...BINARY.map((kernelName) => ({
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (_dy: Tensor | Tensor[], saved: Tensor[]) => ({ a: () => zerosFor(saved[0]), b: () => zerosFor(saved[1]) }),
  })),
  ...UNARY.map((kernelName) => ({
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (_dy: Tensor | Tensor[], saved: Tensor[]) => ({ x: () => zerosFor(saved[0]) }),
  })),
];
