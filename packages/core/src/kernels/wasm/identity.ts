// Identity for the wasm backend without a copy. The engine clones (Identity) every tensor it
// saves for the backward pass; the shipped wasm kernel copies the data each time (~240 ms of a
// 3.7 s ViT-Tiny training step here). tfjs tensors are immutable, so — like the cpu backend's
// Identity and wasm's own Reshape — we share the buffer and count a reference instead.
import type { DataId, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

interface RefCountingBackend {
  incRef(dataId: DataId): void;
}

function identity(args: { inputs: { x: TensorInfo }; backend: unknown }): TensorInfo {
  const { x } = args.inputs;
  (args.backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelFunc,
};
