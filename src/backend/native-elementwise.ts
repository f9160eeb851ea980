/**
 * Broadcasting binary ops and comparisons, unary activations and Abs, Tile, batch norm, Sum/Mean/Max/Min
 * reductions of the 'native' backend (C++
 * loops in native/src/elementwise.cc). Once convolutions ran in oneDNN, tfjs-cpu's versions of
 * these (batch-norm moments, bias and loss broadcasting) took over 90% of a CNN training step.
 */
import { tf } from './tf.js';
import { allocOutput, f32Of, NATIVE_MAX_RANK, nativeKernel, type NativeAddon, type NativeImpl } from './native-addon.js';

/** Op codes of native/src/elementwise.h. */
const BINARY_OPS: Record<string, number> = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, SquaredDifference: 4, Maximum: 5, Minimum: 6 };

/** Op codes of native/src/elementwise.h UnaryOp. */
const UNARY_OPS: Record<string, number> = {
  Relu: 0, Relu6: 1, Step: 2, Sigmoid: 3, Tanh: 4, Exp: 5, Square: 6, Sqrt: 7, Rsqrt: 8, Neg: 9, Elu: 10, LeakyRelu: 11, Erf: 12, Abs: 13,
};

const padTo = (shape: number[], rank: number) => [...new Array<number>(rank - shape.length).fill(1), ...shape];

/** The binary params [rank, outShape, aShape, bShape] and the output shape, or null past rank 8. */
export function binaryParams(aShape: number[], bShape: number[]): { params: Int32Array; outShape: number[] } | null {
  const outShape = tf.backend_util.assertAndGetBroadcastShape(aShape, bShape);
  const rank = Math.max(1, outShape.length);
  if (rank > NATIVE_MAX_RANK) return null;
  return { params: Int32Array.from([rank, ...padTo(outShape, rank), ...padTo(aShape, rank), ...padTo(bShape, rank)]), outShape };
}

/** Op codes of native/src/elementwise.h CompareOp: bool outputs (a Uint8Array of 0/1, as tfjs-cpu's). */
const COMPARE_OPS: Record<string, number> = { Greater: 0, GreaterEqual: 1, Less: 2, LessEqual: 3, Equal: 4, NotEqual: 5 };

/** A broadcasting arithmetic op (float32 output) or comparison (`compare`: bool output) of float32 data. */
function binaryImpl(op: number, compare = false): NativeImpl {
  return ({ inputs }, addon, backend) => {
    const a = f32Of(backend, inputs.a), b = f32Of(backend, inputs.b);
    if (!a || !b || (compare && (inputs.a!.dtype !== 'float32' || inputs.b!.dtype !== 'float32'))) return null;
    const plan = binaryParams(inputs.a!.shape, inputs.b!.shape);
    if (!plan) return null;
    if (compare) {
      const bools = new Uint8Array(tf.util.sizeFromShape(plan.outShape));
      addon.compare(op, plan.params, a, b, bools);
      return backend.makeTensorInfo(plan.outShape, 'bool', bools);
    }
    const out = allocOutput(backend, plan.outShape);
    addon.binary(op, plan.params, a, b, out.values);
    return out.info;
  };
}

/** The reduce params [rank, shape, reducedFlags] and the output shape, or null for scalars/rank > 8. */
export function reduceParams(shape: number[], axis: number | number[] | undefined, keepDims: boolean): { params: Int32Array; outShape: number[]; count: number } | null {
  if (shape.length === 0 || shape.length > NATIVE_MAX_RANK) return null;
  const axes = new Set(tf.util.parseAxisParam(axis ?? shape.map((_, i) => i), shape));
  const flags = shape.map((_, i) => (axes.has(i) ? 1 : 0));
  const outShape = keepDims ? shape.map((d, i) => (axes.has(i) ? 1 : d)) : shape.filter((_, i) => !axes.has(i));
  const count = shape.reduce((acc, d, i) => (axes.has(i) ? acc * d : acc), 1);
  return { params: Int32Array.from([shape.length, ...shape, ...flags]), outShape, count };
}

function unaryImpl(op: number): NativeImpl {
  return ({ inputs, attrs }, addon, backend) => {
    const x = f32Of(backend, inputs.x);
    // an int32 tensor may hold a Float32Array (tfjs-cpu's Abs writes one): its output stays int32 there
    if (!x || inputs.x!.dtype !== 'float32') return null;
    const out = allocOutput(backend, inputs.x!.shape);
    addon.unary(op, Number((attrs as { alpha?: number } | undefined)?.alpha ?? 0), x, out.values);
    return out.info;
  };
}

const tile: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const x = f32Of(backend, inputs.x);
  const reps = (attrs as { reps: number[] }).reps;
  const shape = inputs.x!.shape;
  if (!x || shape.length === 0 || shape.length > NATIVE_MAX_RANK || reps.length !== shape.length || reps.some((r) => r < 1)) return null;
  const out = allocOutput(backend, shape.map((d, i) => d * reps[i]));
  addon.tile(Int32Array.from([shape.length, ...shape, ...reps]), x, out.values);
  return out.info;
};

/** FusedBatchNorm when mean/variance/offset/scale are per-channel vectors of the last dimension. */
const batchNorm: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const shape = inputs.x!.shape;
  const c = shape[shape.length - 1];
  const get = (t: tf.TensorInfo | undefined) => (t ? f32Of(backend, t) : null);
  const x = get(inputs.x), mean = get(inputs.mean), variance = get(inputs.variance), offset = get(inputs.offset), scale = get(inputs.scale);
  const perChannel = (v: Float32Array | null | undefined) => v === null || v?.length === c;
  if (!x || !mean || !variance || offset === undefined || scale === undefined || ![mean, variance, offset, scale].every(perChannel)) return null;
  const out = allocOutput(backend, shape);
  addon.batchNorm(c, Number((attrs as { varianceEpsilon?: number }).varianceEpsilon ?? 0.001), x, mean, variance, offset, scale, out.values);
  return out.info;
};

/** Sum, Mean, Max or Min over the attrs' axes (Max names them reductionIndices). */
function reduceImpl(op: 'sum' | 'mean' | 'max' | 'min'): NativeImpl {
  return ({ inputs, attrs }, addon, backend) => {
    const x = f32Of(backend, inputs.x);
    if (!x || (inputs.x!.dtype !== 'float32' && (op === 'max' || op === 'min'))) return null;
    const a = attrs as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims?: boolean };
    const plan = reduceParams(inputs.x!.shape, op === 'max' ? a.reductionIndices : a.axis, !!a.keepDims);
    if (!plan) return null;
    const out = allocOutput(backend, plan.outShape);
    if (op === 'max' || op === 'min') addon.reduceMinMax(op === 'max' ? 1 : 0, plan.params, x, out.values);
    else addon.reduceSum(plan.params, op === 'mean' ? 1 / plan.count : 1, x, out.values);
    return out.info;
  };
}

/** Kernel configs of the native elementwise and reduction kernels. */
export function nativeElementwiseKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [
    ...Object.entries(BINARY_OPS).map(([name, op]) => nativeKernel(name, binaryImpl(op), addon)),
    ...Object.entries(COMPARE_OPS).map(([name, op]) => nativeKernel(name, binaryImpl(op, true), addon)),
    ...Object.entries(UNARY_OPS).map(([name, op]) => nativeKernel(name, unaryImpl(op), addon)),
    nativeKernel('Tile', tile, addon),
    nativeKernel('FusedBatchNorm', batchNorm, addon),
    nativeKernel('Sum', reduceImpl('sum'), addon),
    nativeKernel('Mean', reduceImpl('mean'), addon),
    nativeKernel('Max', reduceImpl('max'), addon),
    nativeKernel('Min', reduceImpl('min'), addon),
  ];
}
