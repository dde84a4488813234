// The head types this package registers by default, all from `@babelrs/det-heads`: `gfl` (HBB,
// SAR), `rotated-fcos` (OBB, one stage) and `oriented-rcnn` (OBB, two stages: the paper's head for
// RGB and IR, with mmrotate's settings unless `options` say otherwise). Other packages add theirs
// with `registerHeadType`.
import { GflHead, OrientedRcnnHead, RotatedFcosHead } from '@babelrs/det-heads';
import { headTypes, registerHeadType, type HeadFactoryOptions } from './head-registry.js';

function headArgs(o: HeadFactoryOptions) {
  return { ...o.options, numClasses: o.numClasses, inChannels: o.inChannels, strides: o.strides, seed: o.seed };
}

let registered = false;

/** Registers `gfl`, `rotated-fcos` and `oriented-rcnn` once (idempotent; a user's own registration wins). */
export function registerBuiltinHeads(): void {
  if (registered) return;
  registered = true;
  const known = headTypes();
  if (!known.includes('gfl')) registerHeadType('gfl', (o) => new GflHead(headArgs(o) as ConstructorParameters<typeof GflHead>[0]));
  if (!known.includes('rotated-fcos')) registerHeadType('rotated-fcos', (o) => new RotatedFcosHead(headArgs(o) as ConstructorParameters<typeof RotatedFcosHead>[0]));
  if (!known.includes('oriented-rcnn')) registerHeadType('oriented-rcnn', (o) => new OrientedRcnnHead(headArgs(o) as ConstructorParameters<typeof OrientedRcnnHead>[0]));
}
