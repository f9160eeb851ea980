/**
 * Concat of the 'native' backend as block copies in C++ (copyBlock of native/src/elementwise.cc).
 * tfjs-cpu's Concat copies element by element in JS: DenseNet concatenates every layer's output
 * onto the running feature map (58 times at 64 px), which cost as much as all its convolutions'
 * input gradients together before this kernel.
 */
import { tf } from './tf.js';
import { allocOutput, f32Of, NATIVE_MAX_RANK, nativeKernel, type NativeAddon, type NativeImpl } from './native-addon.js';

/** Params [rank, srcShape, srcOff, dstShape, dstOff, block] of native copyBlock. */
export function copyBlockParams(src: number[], srcOff: number[], dst: number[], dstOff: number[], block: number[]): Int32Array {
  return Int32Array.from([src.length, ...src, ...srcOff, ...dst, ...dstOff, ...block]);
}

const concat: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const tensors = Object.values(inputs) as tf.TensorInfo[];
  const values = tensors.map((t) => f32Of(backend, t));
  const rank = tensors[0].shape.length;
  if (rank === 0 || rank > NATIVE_MAX_RANK || values.some((v) => !v)) return null;
  const axis = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, tensors[0].shape)[0];
  const shapes = tensors.map((t) => t.shape);
  tf.backend_util.assertParamsConsistent(shapes, axis);
  const out = allocOutput(backend, tf.backend_util.computeOutShape(shapes, axis));
  let offset = 0;
  tensors.forEach((t, i) => {
    const at = t.shape.map((_, d) => (d === axis ? offset : 0));
    addon.copyBlock(copyBlockParams(t.shape, t.shape.map(() => 0), out.info.shape, at, t.shape), values[i]!, out.values);
    offset += t.shape[axis];
  });
  return out.info;
};

/** Kernel config of the native Concat. */
export function nativeConcatKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [nativeKernel('Concat', concat, addon)];
}
