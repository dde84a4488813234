// DepthwiseConv2dNativeBackpropFilter for the wasm backend, which ships without it (so a
// depthwise conv could not train there). NHWC; filter [fh, fw, inC, channelMultiplier]:
//   dW[fr, fc, c, q] = Σ_{b, yr, yc} x[b, yr·sh − padTop + fr·dh, yc·sw − padLeft + fc·dw, c] · dy[b, yr, yc, c·M + q]
import { backend_util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { forEachDepthwiseTap, type DepthwiseConvAttrs } from './depthwise-taps.js';
import { asWasmBackend } from './wasm-heap.js';

const KERNEL = 'DepthwiseConv2dNativeBackpropFilter';

interface Attrs extends DepthwiseConvAttrs {
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
  const { inChannels: ic, outChannels: oc } = c;
  const mult = oc / ic;
  const dW = new Float64Array(c.filterHeight * c.filterWidth * ic * mult); // float64: long sums
  forEachDepthwiseTap(c, (xOff, wOff, dyOff) => {
    for (let ch = 0; ch < ic; ch++) {
      const xVal = xv[xOff + ch];
      for (let q = 0; q < mult; q++) dW[wOff + ch * mult + q] += xVal * dyv[dyOff + ch * mult + q];
    }
  });
  backend.typedArrayFromHeap(out).set(dW);
  return out;
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: KERNEL,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
