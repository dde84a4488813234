// DepthwiseConv2dNativeBackpropInput for the wasm backend, which ships without it: the input
// gradient of a depthwise conv. NHWC; filter [fh, fw, inC, channelMultiplier]:
//   dx[b, xr, xc, c] = Σ_{yr, yc, fr, fc, q : xr = yr·sh − padTop + fr·dh, …} dy[b, yr, yc, c·M + q] · W[fr, fc, c, q]
import { backend_util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asWasmBackend } from './wasm-heap.js';

const KERNEL = 'DepthwiseConv2dNativeBackpropInput';

interface Attrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
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
  const { inHeight: ih, inWidth: iw, inChannels: ic, outHeight: oh, outWidth: ow, outChannels: oc } = c;
  const mult = oc / ic;
  const dx = new Float64Array(c.batchSize * ih * iw * ic);
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
            const wOff = (fr * c.filterWidth + fc) * oc;
            for (let ch = 0; ch < ic; ch++) {
              let acc = 0;
              for (let q = 0; q < mult; q++) acc += dyv[dyOff + ch * mult + q] * wv[wOff + ch * mult + q];
              dx[xOff + ch] += acc;
            }
          }
        }
      }
    }
  }
  backend.typedArrayFromHeap(out).set(dx);
  return out;
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: KERNEL,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
