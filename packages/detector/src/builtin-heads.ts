// The head types this package registers by default: `gfl` (HBB, SAR) and `rotated-fcos` (OBB,
// RGB / IR) from `@babelrs/det-heads`. Other packages add theirs with `registerHeadType`.
import { GflHead, RotatedFcosHead } from '@babelrs/det-heads';
import { headTypes, registerHeadType, type HeadFactoryOptions } from './head-registry.js';

function headArgs(o: HeadFactoryOptions) {
  return { ...o.options, numClasses: o.numClasses, inChannels: o.inChannels, strides: o.strides, seed: o.seed };
}

let registered = false;

/** Registers `gfl` and `rotated-fcos` once (idempotent; a user's own registration wins). */
export function registerBuiltinHeads(): void {
  if (registered) return;
  registered = true;
  const known = headTypes();
  if (!known.includes('gfl')) registerHeadType('gfl', (o) => new GflHead(headArgs(o) as ConstructorParameters<typeof GflHead>[0]));
  if (!known.includes('rotated-fcos')) registerHeadType('rotated-fcos', (o) => new RotatedFcosHead(headArgs(o) as ConstructorParameters<typeof RotatedFcosHead>[0]));
}
