// Conv2DBackpropFilter for the wasm backend, which ships without it: the filter gradient of
// conv2d and of conv2dTranspose. NHWC only (the only layout tfjs's wasm convs use).
//   dW[fr, fc, ci, co] = Σ_{b, yr, yc} x[b, yr·sh − padTop + fr·dh, yc·sw − padLeft + fc·dw, ci] · dy[b, yr, yc, co]
// As a matrix product: dW[K, Cout] = colsᵀ[K, P] · dy[P, Cout] with K = fh·fw·Cin and
// P = B·outH·outW output positions. We build colsᵀ (im2col, transposed) in chunks of P and hand
// each product to the backend's own BatchMatMul as a plain 2-D, non-transposed matmul, the case
// wasm runs through XNNPACK (~25 GFLOP/s here against ~1 for a JS loop).
import { backend_util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { tf } from '../../backend/tf.js';
import { asWasmBackend } from './wasm-heap.js';

const KERNEL = 'Conv2DBackpropFilter';

/** Floats per temporary im2col chunk (16 MiB): bounds memory for large feature maps. */
export const DEFAULT_CHUNK_FLOATS = 1 << 22;

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  dilations?: [number, number] | number; // not passed by tfjs today; honoured if present
}

function conv2DBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; attrs: Conv2DBackpropFilterAttrs; backend: unknown }): TensorInfo {
  const { x, dy } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape, dilations = 1 } = args.attrs;
  if (dataFormat !== 'NHWC') throw new Error(`${KERNEL} (wasm): dataFormat '${dataFormat}' is not supported; use NHWC`);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, dilations, pad, dimRoundingMode, false, 'channelsLast',
  );
  return conv2dFilterGrad(args.backend, x, dy, info);
}

/** The kernel body, with the chunk size exposed so tests can force several chunks. */
export function conv2dFilterGrad(backendArg: unknown, x: TensorInfo, dy: TensorInfo, c: backend_util.Conv2DInfo, chunkFloats = DEFAULT_CHUNK_FLOATS): TensorInfo {
  const backend = asWasmBackend(backendArg, KERNEL);
  const batchMatMul = tf.getKernel('BatchMatMul', 'wasm');
  if (!batchMatMul) throw new Error(`${KERNEL} (wasm): the wasm BatchMatMul kernel is not registered`);
  const K = c.filterHeight * c.filterWidth * c.inChannels;
  const oc = c.outChannels;
  const P = c.batchSize * c.outHeight * c.outWidth;
  const rows = Math.max(1, Math.min(P, Math.floor(chunkFloats / Math.max(K, oc))));
  const acc = new Float64Array(K * oc); // chunk partial sums added in float64
  for (let p0 = 0; p0 < P; p0 += rows) {
    const n = Math.min(rows, P - p0);
    const colsT = backend.makeOutput([K, n], 'float32');
    const dyChunk = backend.makeOutput([n, oc], 'float32');
    // Views only after the allocations above (they may move the heap).
    fillColsTransposed(backend.typedArrayFromHeap(x) as Float32Array, backend.typedArrayFromHeap(colsT) as Float32Array, c, p0, n);
    backend.typedArrayFromHeap(dyChunk).set(backend.typedArrayFromHeap(dy).subarray(p0 * oc, (p0 + n) * oc));
    const prod = batchMatMul.kernelFunc({
      inputs: { a: colsT, b: dyChunk },
      attrs: { transposeA: false, transposeB: false },
      backend: backend as never,
    }) as TensorInfo; // [K, oc]
    const pv = backend.typedArrayFromHeap(prod);
    for (let i = 0; i < acc.length; i++) acc[i] += pv[i];
    for (const t of [colsT, dyChunk, prod]) backend.disposeData(t.dataId);
  }
  const out = backend.makeOutput([c.filterHeight, c.filterWidth, c.inChannels, oc], 'float32');
  backend.typedArrayFromHeap(out).set(acc);
  return out;
}

/** colsT[k, j] = x at filter tap k = (fr·fw + fc)·Cin + ci for output position p0 + j (0 in padding). */
function fillColsTransposed(x: Float32Array, colsT: Float32Array, c: backend_util.Conv2DInfo, p0: number, n: number): void {
  const { inHeight: ih, inWidth: iw, inChannels: ic, outHeight: oh, outWidth: ow } = c;
  for (let j = 0; j < n; j++) {
    const p = p0 + j;
    const b = Math.floor(p / (oh * ow));
    const yr = Math.floor(p / ow) % oh;
    const yc = p % ow;
    for (let fr = 0; fr < c.filterHeight; fr++) {
      const xr = yr * c.strideHeight - c.padInfo.top + fr * c.dilationHeight;
      for (let fc = 0; fc < c.filterWidth; fc++) {
        const xc = yc * c.strideWidth - c.padInfo.left + fc * c.dilationWidth;
        const k0 = (fr * c.filterWidth + fc) * ic;
        const inside = xr >= 0 && xr < ih && xc >= 0 && xc < iw;
        const xOff = ((b * ih + xr) * iw + xc) * ic;
        for (let ci = 0; ci < ic; ci++) colsT[(k0 + ci) * n + j] = inside ? x[xOff + ci] : 0;
      }
    }
  }
}


export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: KERNEL,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
