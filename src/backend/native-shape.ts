/**
 * Data-movement kernels of the 'native' backend (SplitV with typed-array block copies; Transpose,
 * Slice, PadV2 and GatherV2 in C++) and Softmax: tfjs-cpu's SplitV slices element by element and took over a third of an
 * LSTM training step, which splits its gate pre-activations every time step.
 */
import { tf } from './tf.js';
import { allocOutput, f32Of, NATIVE_MAX_RANK, nativeKernel, type NativeAddon, type NativeImpl } from './native-addon.js';

const splitV: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const x = f32Of(backend, inputs.x);
  const shape = inputs.x!.shape;
  if (!x || shape.length > NATIVE_MAX_RANK) return null;
  const a = attrs as { numOrSizeSplits: number | number[]; axis: number };
  const axis = tf.util.parseAxisParam(a.axis, shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(inputs.x!, a.numOrSizeSplits, axis);
  let start = 0;
  return sizes.map((size) => {
    const outShape = shape.map((d, i) => (i === axis ? size : d));
    const out = allocOutput(backend, outShape);
    // One C++ call per output (a JS subarray copy per row cost ~1 ms per DenseNet concat gradient).
    addon.copyBlock(blockParams(shape, shape.map((_, i) => (i === axis ? start : 0)), outShape, shape.map(() => 0), outShape), x, out.values);
    start += size;
    return out.info;
  });
};

const transpose: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const x = f32Of(backend, inputs.x);
  const shape = inputs.x!.shape;
  const perm = (attrs as { perm: number[] }).perm;
  if (!x || shape.length === 0 || shape.length > NATIVE_MAX_RANK || perm.length !== shape.length) return null;
  const out = allocOutput(backend, perm.map((p) => shape[p]));
  addon.transpose(Int32Array.from([shape.length, ...shape, ...perm]), x, out.values);
  return out.info;
};

/** Params [rank, srcShape, srcOff, dstShape, dstOff, block] of native copyBlock. */
const blockParams = (src: number[], srcOff: number[], dst: number[], dstOff: number[], block: number[]) =>
  Int32Array.from([src.length, ...src, ...srcOff, ...dst, ...dstOff, ...block]);

const slice: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const x = f32Of(backend, inputs.x);
  const shape = inputs.x!.shape;
  if (!x || shape.length === 0 || shape.length > NATIVE_MAX_RANK) return null;
  const a = attrs as { begin: number | number[]; size: number | number[] };
  const [begin, size] = tf.slice_util.parseSliceParams(inputs.x as tf.Tensor, a.begin, a.size);
  const out = allocOutput(backend, size);
  addon.copyBlock(blockParams(shape, begin, size, size.map(() => 0), size), x, out.values);
  return out.info;
};

const padV2: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const x = f32Of(backend, inputs.x);
  const shape = inputs.x!.shape;
  const a = attrs as { paddings: [number, number][]; constantValue: number };
  if (!x || shape.length === 0 || shape.length > NATIVE_MAX_RANK || a.paddings.some(([p, q]) => p < 0 || q < 0)) return null;
  const out = allocOutput(backend, shape.map((d, i) => a.paddings[i][0] + d + a.paddings[i][1]));
  out.values.fill(a.constantValue); // pooled outputs are not zeroed (allocOutput)
  addon.copyBlock(blockParams(shape, shape.map(() => 0), out.info.shape, a.paddings.map((p) => p[0]), shape), x, out.values);
  return out.info;
};

/** Softmax over the last axis (the only one tfjs supports). */
const softmax: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const x = f32Of(backend, inputs.logits);
  const shape = inputs.logits!.shape;
  const dim = (attrs as { dim?: number }).dim ?? -1;
  if (!x || shape.length === 0 || (dim !== -1 && dim !== shape.length - 1)) return null;
  const out = allocOutput(backend, shape);
  addon.softmax(shape[shape.length - 1], x, out.values);
  return out.info;
};

/**
 * GatherV2 of float32 data by int32 indices along any axis, batchDims 0 (tfjs-cpu indexes every
 * element through TensorBuffer.locToIndex, ~0.5 us a float). Out-of-range indices throw tfjs'
 * error from C++.
 */
const gatherV2: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const x = inputs.x!.dtype === 'float32' ? f32Of(backend, inputs.x) : undefined;
  const idx = inputs.indices!.dtype === 'int32' ? backend.data.get(inputs.indices!.dataId).values : undefined;
  const a = attrs as { axis: number; batchDims?: number };
  const shape = inputs.x!.shape;
  if (!x || !(idx instanceof Int32Array) || (a.batchDims ?? 0) !== 0 || shape.length === 0) return null;
  const axis = tf.util.parseAxisParam(a.axis, shape)[0];
  const size = (dims: number[]) => dims.reduce((p, d) => p * d, 1);
  const out = allocOutput(backend, [...shape.slice(0, axis), ...inputs.indices!.shape, ...shape.slice(axis + 1)]);
  addon.gather(Int32Array.from([size(shape.slice(0, axis)), shape[axis], size(shape.slice(axis + 1))]), x, idx, out.values);
  return out.info;
};

/** Kernel configs of the native data-movement kernels and softmax. */
export function nativeShapeKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [nativeKernel('SplitV', splitV, addon), nativeKernel('Transpose', transpose, addon), nativeKernel('Softmax', softmax, addon),
    nativeKernel('Slice', slice, addon), nativeKernel('PadV2', padV2, addon), nativeKernel('GatherV2', gatherV2, addon)];
}
