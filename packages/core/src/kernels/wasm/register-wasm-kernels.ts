// The one place where core's wasm kernels are registered with the tfjs engine.
//  - Missing kernels training needs: UnsortedSegmentSum (gather's gradient),
//    Conv2DBackpropFilter (conv / transposed-conv filter gradients) and the two depthwise-conv
//    gradients (DepthwiseConv2dNativeBackpropFilter / …BackpropInput).
//  - Speed overrides: Slice, Unpack, SplitV and StridedSlice without the shipped whole-input
//    copy; Transpose by contiguous runs where the shipped kernel loops per element; Identity
//    by reference instead of by copy.
//  - Empty-input guards: Sum, Mean, Prod, Max, Min, All, Any and BatchMatMul return
//    uninitialised memory for zero-element inputs as shipped; guarded, they answer like cpu.
import { tf } from '../../backend/tf.js';
import type { KernelConfig } from '@tensorflow/tfjs';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-conv2d-backprop-filter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-conv2d-backprop-input.js';
import { sliceConfig } from './slice.js';
import { unpackConfig } from './unpack.js';
import { splitVConfig } from './split-v.js';
import { makeStridedSliceConfig } from './strided-slice.js';
import { makeTransposeConfig } from './transpose.js';
import { identityConfig } from './identity.js';
import { EMPTY_GUARDED_KERNELS, withEmptyInputGuard } from './empty-input-guard.js';

export interface RegisterWasmKernelsOptions {
  /** Use the fast Slice/Unpack/SplitV/StridedSlice/Transpose/Identity (default true; false restores tfjs's own). */
  overrides?: boolean;
}

const ADDED: readonly KernelConfig[] = [
  unsortedSegmentSumConfig,
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
];

/** Kernels this package adds to the wasm backend (absent from tfjs-backend-wasm 4.22). */
export const ADDED_WASM_KERNELS: readonly string[] = ADDED.map((k) => k.kernelName);

const OVERRIDDEN = ['Slice', 'Unpack', 'SplitV', 'StridedSlice', 'Transpose', 'Identity'] as const;

// tfjs's own configs, captured before the first override so they can be restored (the bench
// measures "wasm as shipped" against our fast path in one process).
const shipped = new Map<string, KernelConfig>();

/** Registers core's wasm kernels. Idempotent; called by `initBackend` when wasm is selected. */
export function registerWasmKernels(options: RegisterWasmKernelsOptions = {}): void {
  for (const config of ADDED) {
    if (!tf.getKernel(config.kernelName, 'wasm')) tf.registerKernel(config);
  }
  setWasmKernelOverrides(options.overrides ?? true);
  guardEmptyInputs();
}

/** Correctness, not speed: always on (see empty-input-guard.ts). */
const guarded = new Set<KernelConfig['kernelFunc']>();

function guardEmptyInputs(): void {
  for (const name of EMPTY_GUARDED_KERNELS) {
    const current = tf.getKernel(name, 'wasm');
    if (!current) throw new Error(`registerWasmKernels: tfjs-backend-wasm has no '${name}' kernel to guard`);
    if (guarded.has(current.kernelFunc)) continue;
    const config = withEmptyInputGuard(current);
    guarded.add(config.kernelFunc);
    replaceKernel(config);
  }
}

/** Switches the speed overrides on or off (off = the kernels tfjs-backend-wasm ships). */
export function setWasmKernelOverrides(enabled: boolean): void {
  for (const name of OVERRIDDEN) {
    if (!shipped.has(name)) {
      const own = tf.getKernel(name, 'wasm');
      if (!own) throw new Error(`registerWasmKernels: tfjs-backend-wasm has no '${name}' kernel to override`);
      shipped.set(name, own);
    }
    const original = shipped.get(name)!;
    const wanted = enabled ? overrideFor(name, original) : original;
    replaceKernel(wanted);
  }
}

/** Whether the speed overrides are currently registered for wasm. */
export function wasmKernelOverridesEnabled(): boolean {
  const current = tf.getKernel('Slice', 'wasm');
  return current !== undefined && current.kernelFunc === overrides.get('Slice')?.kernelFunc;
}

const overrides = new Map<string, KernelConfig>();

function overrideFor(name: (typeof OVERRIDDEN)[number], original: KernelConfig): KernelConfig {
  let config = overrides.get(name);
  if (!config) {
    if (name === 'Slice') config = sliceConfig;
    else if (name === 'Unpack') config = unpackConfig;
    else if (name === 'SplitV') config = splitVConfig;
    else if (name === 'StridedSlice') config = makeStridedSliceConfig(original);
    else if (name === 'Transpose') config = makeTransposeConfig(original);
    else config = identityConfig;
    config = withStringFallback(config, original);
    overrides.set(name, config);
  }
  return config;
}

/** String tensors live outside the wasm heap: leave them to the shipped kernel. */
function withStringFallback(config: KernelConfig, original: KernelConfig): KernelConfig {
  const fast = config.kernelFunc;
  const kernelFunc: KernelConfig['kernelFunc'] = (args) =>
    Object.values(args.inputs).some((t) => t?.dtype === 'string') ? original.kernelFunc(args) : fast(args);
  return { ...config, kernelFunc };
}

function replaceKernel(config: KernelConfig): void {
  const current = tf.getKernel(config.kernelName, 'wasm');
  if (current?.kernelFunc === config.kernelFunc) return;
  // Unregister first: registerKernel over an existing entry works but prints a warning.
  if (current) tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel(config);
}
