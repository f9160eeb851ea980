/**
 * Helpers to (re)register kernels on the 'wasm' backend only, keeping the stock kernel of the
 * same name reachable (for delegation and for speed/accuracy comparisons in tests and benches).
 */
import { tf } from '../tf.js';

/** The tfjs kernel function type, as accepted by `tf.registerKernel`. */
export type KernelFunc = tf.KernelConfig['kernelFunc'];

const stock = new Map<string, tf.KernelConfig>();

/**
 * Registers `kernelFunc` as `kernelName` on 'wasm'. A stock kernel of that name is remembered
 * (see `stockWasmKernel`) and its setupFunc kept, so delegating to it still works.
 */
export function registerWasmKernel(kernelName: string, kernelFunc: KernelFunc): void {
  const existing = tf.getKernel(kernelName, 'wasm');
  if (existing && !stock.has(kernelName)) stock.set(kernelName, existing);
  if (existing) tf.unregisterKernel(kernelName, 'wasm');
  const original = stock.get(kernelName);
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc, disposeFunc: original?.disposeFunc });
}

/** The stock wasm kernel that `registerWasmKernel` replaced, if any. */
export function stockWasmKernel(kernelName: string): tf.KernelConfig | undefined {
  return stock.get(kernelName);
}

/**
 * Runs the stock wasm kernel `kernelName` on tensors (the active backend must be wasm).
 * Used by replacements that delegate to the fast path after reshaping their inputs.
 */
export function runStock(kernelName: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor {
  const config = stock.get(kernelName);
  if (!config) throw new Error(`no stock wasm kernel '${kernelName}'`);
  const backend = tf.engine().backend;
  const info = config.kernelFunc({ inputs, attrs, backend }) as tf.TensorInfo;
  return tf.engine().makeTensorFromTensorInfo(info, backend);
}

/** Like `runStock`, for kernels with several outputs (e.g. Unpack). */
export function runStockMulti(kernelName: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor[] {
  const config = stock.get(kernelName);
  if (!config) throw new Error(`no stock wasm kernel '${kernelName}'`);
  const backend = tf.engine().backend;
  const infos = config.kernelFunc({ inputs, attrs, backend }) as tf.TensorInfo[];
  return infos.map((info) => tf.engine().makeTensorFromTensorInfo(info, backend));
}

/** Runs a registered kernel on the active backend through the engine (records no gradient inside kernels). */
export function runKernel(kernelName: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor {
  return tf.engine().runKernel(kernelName, inputs, attrs) as tf.Tensor;
}
