export {
  registerWasmKernels,
  ADDED_WASM_KERNELS,
  setWasmKernelOverrides,
  wasmKernelOverridesEnabled,
  type RegisterWasmKernelsOptions,
} from './wasm/register-wasm-kernels.js';
export { registerMissingGradients, ADDED_GRADIENTS, FIXED_GRADIENTS } from './gradients/register-gradients.js';
