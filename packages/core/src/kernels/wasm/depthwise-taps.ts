// What the two depthwise-conv gradient kernels share: their attributes and the walk over every
// (output pixel, filter tap) pair that lands inside the input. NHWC; filter [fh, fw, inC, M].
import type { backend_util } from '@tensorflow/tfjs';

/** Attributes common to DepthwiseConv2dNativeBackprop{Filter,Input}. */
export interface DepthwiseConvAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Calls `visit(xOff, wOff, dyOff)` once per output pixel and filter tap whose input pixel is
 * inside the image: offsets of that input pixel's channel 0 in x, of the tap's (fr, fc) slice in
 * the filter (channel c, multiplier q at `wOff + c·M + q`), and of the output pixel in dy.
 */
export function forEachDepthwiseTap(c: backend_util.Conv2DInfo, visit: (xOff: number, wOff: number, dyOff: number) => void): void {
  const { inHeight: ih, inWidth: iw, inChannels: ic, outHeight: oh, outWidth: ow, outChannels: oc } = c;
  for (let b = 0; b < c.batchSize; b++) {
    for (let yr = 0; yr < oh; yr++) {
      for (let fr = 0; fr < c.filterHeight; fr++) {
        const xr = yr * c.strideHeight - c.padInfo.top + fr * c.dilationHeight;
        if (xr < 0 || xr >= ih) continue;
        for (let yc = 0; yc < ow; yc++) {
          const dyOff = ((b * oh + yr) * ow + yc) * oc;
          for (let fc = 0; fc < c.filterWidth; fc++) {
            const xc = yc * c.strideWidth - c.padInfo.left + fc * c.dilationWidth;
            if (xc < 0 || xc >= iw) continue;
            visit(((b * ih + xr) * iw + xc) * ic, (fr * c.filterWidth + fc) * oc, dyOff);
          }
        }
      }
    }
  }
}
