/**
 * The 'native' tfjs backend: tfjs' cpu backend (tensors are Float32Arrays in its data store)
 * with its hot kernels replaced by oneDNN ones from the medlens addon (native/). Every other
 * kernel is the cpu kernel, so the backend is complete wherever cpu is. Node-only and
 * optional: when the addon is not built, `registerNativeBackend` says why and medlens falls
 * back to wasm.
 */
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { tf } from './tf.js';
import { loadNativeAddon, type NativeAddon } from './native-addon.js';
import { nativeConvKernels } from './native-conv.js';
import { nativeMatMulKernels } from './native-matmul.js';
import { nativeElementwiseKernels } from './native-elementwise.js';
import { nativeShapeKernels } from './native-shape.js';
import { nativeBatchNormKernels } from './native-batchnorm.js';
import { nativeRnnKernels } from './native-rnn.js';
import { Float32Pool, poolOptionsFromEnv } from './native-pool.js';
import { nativeTransformerKernels } from './native-transformer.js';
import { nativePoolingKernels } from './native-pooling.js';
import { nativeConcatKernels } from './native-concat.js';
import { nativeActivationKernels } from './native-activation.js';
import { nativeLogicKernels } from './native-logic.js';
import { nativeResizeKernels } from './native-resize.js';

type DataId = Parameters<MathBackendCPU['readSync']>[0];
type BackendValues = Parameters<MathBackendCPU['write']>[0];

/**
 * The backend class: the cpu backend under another name (kernels are registered per name),
 * plus a pool of float32 output buffers (native-pool.ts): released kernel outputs are reused by
 * later kernels. Every way an array can leave the kernels (read, readSync, being stored again
 * by write/makeTensorInfo/move, e.g. as a view) takes it out of the pool's reach for good.
 */
export class NativeBackend extends MathBackendCPU {
  /** Free list of kernel output buffers (allocOutput takes from it). */
  readonly float32Pool = new Float32Pool(poolOptionsFromEnv());

  override write(values: BackendValues, shape: number[], dtype: tf.DataType): DataId {
    this.float32Pool.disown(values);
    return super.write(values, shape, dtype);
  }

  override move(dataId: DataId, values: BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    this.float32Pool.disown(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override readSync(dataId: DataId): BackendValues {
    const values = super.readSync(dataId);
    // tfjs hands this very array to the caller (dataSync/data/bufferSync): never recycle it
    this.float32Pool.disown(this.data.get(dataId)?.values);
    return values;
  }

  override async read(dataId: DataId): Promise<BackendValues> {
    return this.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    const released = super.disposeData(dataId, force);
    if (released && values !== undefined && !this.data.has(dataId)) this.float32Pool.recycle(values);
    return released;
  }

  override dispose(): void {
    this.float32Pool.clear();
    super.dispose();
  }
}

/** Names of the kernels oneDNN runs on the 'native' backend. */
export const NATIVE_KERNEL_NAMES: string[] = [];

let registered = false;

function registerKernels(addon: NativeAddon): void {
  const native = [...nativeConvKernels(addon), ...nativeMatMulKernels(addon), ...nativeElementwiseKernels(addon), ...nativeShapeKernels(addon), ...nativeBatchNormKernels(addon), ...nativeRnnKernels(addon), ...nativeTransformerKernels(addon), ...nativePoolingKernels(addon), ...nativeConcatKernels(addon), ...nativeActivationKernels(addon), ...nativeLogicKernels(addon), ...nativeResizeKernels(addon)];
  const own = new Set(native.map((k) => k.kernelName));
  for (const k of native) tf.registerKernel(k);
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (!own.has(k.kernelName)) tf.registerKernel({ ...k, backendName: 'native' });
  }
  NATIVE_KERNEL_NAMES.push(...own);
}

/**
 * Registers the 'native' backend (once). Resolves to true, or to the reason it is unavailable.
 * Does not activate it: use `initNodeBackend('native')` or `tf.setBackend('native')`.
 */
export async function registerNativeBackend(): Promise<true | string> {
  const addon = loadNativeAddon();
  if (typeof addon === 'string') return addon;
  if (!registered) {
    // Low priority: never picked implicitly, only through backend selection.
    tf.registerBackend('native', () => new NativeBackend(), 0);
    registerKernels(addon);
    registered = true;
  }
  return true;
}

/** oneDNN version and thread count of the loaded addon, or undefined when it is not loadable. */
export function nativeInfo(): { onednn: string; threads: number } | undefined {
  const addon = loadNativeAddon();
  if (typeof addon === 'string') return undefined;
  const { onednn, threads } = addon.info();
  return { onednn, threads };
}
