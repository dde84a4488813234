// The one `@tensorflow/tfjs` namespace every BabelRS package uses. Importing tfjs through core
// (rather than each package importing its own copy) keeps a single engine instance: one
// registry of kernels and gradients, one active backend, one memory tracker.
import * as tf from '@tensorflow/tfjs';

export { tf };
