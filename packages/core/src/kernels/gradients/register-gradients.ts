// The one place where core registers gradients tfjs lacks on every backend. Gradients are
// backend-independent, so this runs for every backend (initBackend calls it).
import type { GradConfig } from '@tensorflow/tfjs';
import { tf } from '../../backend/tf.js';
import { gatherNdGradConfig } from './gather-nd-grad.js';
import { stridedSliceGradConfig } from './strided-slice-grad.js';
import { comparisonGradConfigs } from './comparison-grads.js';
import { cropAndResizeGradConfig } from './crop-and-resize-grad.js';
import { cumsumGradConfig } from './cumsum-grad.js';

const CONFIGS: readonly GradConfig[] = [gatherNdGradConfig, stridedSliceGradConfig, cropAndResizeGradConfig, ...comparisonGradConfigs];

// Gradients tfjs registers wrongly; ours replace them.
const FIXES: readonly GradConfig[] = [cumsumGradConfig];

/** Names of the gradients this package adds (only where tfjs has none). */
export const ADDED_GRADIENTS: readonly string[] = CONFIGS.map((c) => c.kernelName);

/** Names of the tfjs gradients this package replaces because they are wrong. */
export const FIXED_GRADIENTS: readonly string[] = FIXES.map((c) => c.kernelName);

/**
 * Registers the missing gradients and the corrected ones. Idempotent; never replaces a
 * gradient tfjs has unless it is in FIXED_GRADIENTS.
 */
export function registerMissingGradients(): void {
  for (const config of CONFIGS) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
  for (const config of FIXES) {
    if (tf.getGradient(config.kernelName)?.gradFunc !== config.gradFunc) tf.registerGradient(config);
  }
}
