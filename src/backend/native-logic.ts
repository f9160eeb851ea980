/**
 * Select (where), Cast, IsFinite, ZerosLike and OnesLike of the 'native' backend (C++ loops in native/src/indexing.cc;
 * comparisons are in native-elementwise.ts). tfjs-cpu runs them as per-element JS (5-10 ms per
 * 800k elements), and masks, metrics and explainers use them on whole images. tfjs' 'bool'
 * tensors hold a Uint8Array of 0/1 in the cpu backend, int32 ones an Int32Array: the outputs here
 * are the same.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { tf } from './tf.js';
import { allocOutput, f32Of, nativeKernel, type NativeAddon, type NativeImpl } from './native-addon.js';

/** Element type codes of native/src/indexing.h (convert). */
type ElementDtype = 'float32' | 'int32' | 'bool';

/** The Float32Array of a float32 tensor; undefined for other dtypes (an int32 tensor may hold one). */
export function floatInput(backend: MathBackendCPU, t: tf.TensorInfo | undefined): Float32Array | undefined {
  return t?.dtype === 'float32' ? f32Of(backend, t) : undefined;
}

/**
 * Select with a bool condition shaped like t (tf.where broadcasts it so). A rank-1 condition
 * choosing rows of a higher-rank t is left to tfjs-cpu, which reads t's first elements there
 * instead of whole rows: the native backend keeps cpu's results.
 */
const select: NativeImpl = ({ inputs }, addon, backend) => {
  const { condition, t, e } = inputs;
  const cond = condition?.dtype === 'bool' ? backend.data.get(condition.dataId).values : undefined;
  const tv = floatInput(backend, t), ev = floatInput(backend, e);
  if (!(cond instanceof Uint8Array) || !tv || !ev || ev.length !== tv.length || cond.length !== tv.length) return null;
  if (condition!.shape.length !== t!.shape.length && !(condition!.shape.length === 0 && tv.length === 1)) return null;
  const out = allocOutput(backend, t!.shape);
  addon.select(cond, tv, ev, out.values);
  return out.info;
};

const ARRAY_OF: Record<ElementDtype, new (n: number) => Float32Array | Int32Array | Uint8Array> = {
  float32: Float32Array, int32: Int32Array, bool: Uint8Array,
};

const isElementDtype = (d: string): d is ElementDtype => d in ARRAY_OF;

/**
 * Cast between float32, int32 and bool. tfjs-cpu shares the data where the cast loses nothing
 * (int32/bool to float32, bool to int32): left to it, except to float32 from data that is not a
 * Float32Array, which is converted here so that the native kernels downstream can read it.
 */
const cast: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const x = inputs.x!;
  const dtype = (attrs as { dtype: string }).dtype;
  const values = backend.data.get(x.dataId).values;
  if (!isElementDtype(dtype) || !isElementDtype(x.dtype)) return null;
  if (!(values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array)) return null;
  const toFloatArray = dtype === 'float32' && !(values instanceof Float32Array);
  if (!toFloatArray && (dtype === x.dtype || !tf.util.hasEncodingLoss(x.dtype, dtype))) return null;
  if (dtype === 'float32') {
    const out = allocOutput(backend, x.shape);
    addon.convert(values, out.values);
    return out.info;
  }
  const out = new ARRAY_OF[dtype](values.length);
  addon.convert(values, out);
  return backend.makeTensorInfo(x.shape, dtype, out);
};

const isFinite: NativeImpl = ({ inputs }, addon, backend) => {
  const x = floatInput(backend, inputs.x);
  if (!x) return null;
  const out = new Uint8Array(x.length);
  addon.isFinite(x, out);
  return backend.makeTensorInfo(inputs.x!.shape, 'bool', out);
};

/**
 * ZerosLike / OnesLike of float32 tensors: a pooled buffer filled in place (tfjs-cpu allocates a
 * fresh zeroed array and fills it again; DeepLift takes ~18 a call).
 */
function fillLike(value: number): NativeImpl {
  return ({ inputs }, _addon, backend) => {
    if (inputs.x!.dtype !== 'float32') return null;
    const out = allocOutput(backend, inputs.x!.shape);
    out.values.fill(value);
    return out.info;
  };
}

/** Kernel configs of the native select, cast, isFinite, zerosLike and onesLike kernels. */
export function nativeLogicKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [
    nativeKernel('Select', select, addon),
    nativeKernel('Cast', cast, addon),
    nativeKernel('IsFinite', isFinite, addon),
    nativeKernel('ZerosLike', fillLike(0), addon),
    nativeKernel('OnesLike', fillLike(1), addon),
  ];
}
