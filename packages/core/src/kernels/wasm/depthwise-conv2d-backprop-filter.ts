// DepthwiseConv2dNativeBackpropFilter for the wasm backend, which ships without it (so a
// depthwise conv could not train there). NHWC; filter [fh, fw, inC, channelMultiplier]:
//   dW[fr, fc, c, q] = Σ_{b, yr, yc} x[b, yr·sh − padTop + fr·dh, yc·sw − padLeft + fc·dw, c] · dy[b, yr, yc, c·M + q]
import { backend_util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asWasmBackend } from './wasm-heap.js';

const KERNEL = 'DepthwiseConv2dNativeBackpropFilter';

interface Attrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

function depthwiseConv2dNativeBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; attrs: Attrs; backend: unknown }): TensorInfo {
  const { x, dy } = args.inputs;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = args.attrs;
  const backend = asWasmBackend(args.backend, KERNEL);
  const c = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, dilations, pad, dimRoundingMode, true,
  );
  const out = backend.makeOutput(filterShape, 'float32');
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  const { inHeight: ih, inWidth: iw, inChannels: ic, outHeight: oh, outWidth: ow, outChannels: oc } = c;
  const mult = oc / ic;
  const dW = new Float64Array(c.filterHeight * c.filterWidth * ic * mult); // float64: long sums
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
            const xOff = ((b * ih + xr) * iw + xc) * ic;
            const wOff = (fr * c.filterWidth + fc) * oc; // [fr, fc, c, q] flattens to (fr, fc)·oc + c·M + q
            for (let ch = 0; ch < ic; ch++) {
              const xVal = xv[xOff + ch];
              for (let q = 0; q < mult; q++) dW[wOff + ch * mult + q] += xVal * dyv[dyOff + ch * mult + q];
            }
          }
        }
      }
    }
  }
  backend.typedArrayFromHeap(out).set(dW);
  return out;
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: KERNEL,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
