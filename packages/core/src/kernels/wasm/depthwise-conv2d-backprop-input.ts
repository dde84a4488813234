// DepthwiseConv2dNativeBackpropInput for the wasm backend, which ships without it: the input
// gradient of a depthwise conv. NHWC; filter [fh, fw, inC, channelMultiplier]:
//   dx[b, xr, xc, c] = Σ_{yr, yc, fr, fc, q : xr = yr·sh − padTop + fr·dh, …} dy[b, yr, yc, c·M + q] · W[fr, fc, c, q]
import { backend_util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { forEachDepthwiseTap, type DepthwiseConvAttrs } from './depthwise-taps.js';
import { asWasmBackend } from './wasm-heap.js';

const KERNEL = 'DepthwiseConv2dNativeBackpropInput';

interface Attrs extends DepthwiseConvAttrs {
  inputShape: [number, number, number, number];
}

function depthwiseConv2dNativeBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; attrs: Attrs; backend: unknown }): TensorInfo {
  const { dy, filter } = args.inputs;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = args.attrs;
  const backend = asWasmBackend(args.backend, KERNEL);
  const c = backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, dilations, pad, dimRoundingMode, true,
  );
  const out = backend.makeOutput(inputShape, 'float32');
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  const wv = backend.typedArrayFromHeap(filter) as Float32Array;
  const { inChannels: ic, outChannels: oc } = c;
  const mult = oc / ic;
  const dx = new Float64Array(c.batchSize * c.inHeight * c.inWidth * ic);
  forEachDepthwiseTap(c, (xOff, wOff, dyOff) => {
    for (let ch = 0; ch < ic; ch++) {
      let acc = 0;
      for (let q = 0; q < mult; q++) acc += dyv[dyOff + ch * mult + q] * wv[wOff + ch * mult + q];
      dx[xOff + ch] += acc;
    }
  });
  backend.typedArrayFromHeap(out).set(dx);
  return out;
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: KERNEL,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
