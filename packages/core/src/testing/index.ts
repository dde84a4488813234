export { gradCheck, assertGradCheck, gradCheckVariables, assertGradCheckVariables } from './grad-check.js';
export type { GradCheckOptions, GradCheckReport, GradCheckMismatch } from './grad-check.js';
