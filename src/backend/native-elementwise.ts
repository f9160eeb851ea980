/**
 * Broadcasting binary ops, Sum/Mean reductions and MaxPoolGrad of the 'native' backend (C++
 * loops in native/src/elementwise.cc). Once convolutions ran in oneDNN, tfjs-cpu's versions of
 * these (batch-norm moments, bias and loss broadcasting) took over 90% of a CNN training step.
 */
import { tf } from './tf.js';
import { allocOutput, f32Of, nativeKernel, type NativeAddon, type NativeImpl } from './native-addon.js';

const MAX_RANK = 8;
/** Op codes of native/src/elementwise.h. */
const BINARY_OPS: Record<string, number> = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, SquaredDifference: 4, Maximum: 5, Minimum: 6 };

const padTo = (shape: number[], rank: number) => [...new Array<number>(rank - shape.length).fill(1), ...shape];

/** The binary params [rank, outShape, aShape, bShape] and the output shape, or null past rank 8. */
export function binaryParams(aShape: number[], bShape: number[]): { params: Int32Array; outShape: number[] } | null {
  const outShape = tf.backend_util.assertAndGetBroadcastShape(aShape, bShape);
  const rank = Math.max(1, outShape.length);
  if (rank > MAX_RANK) return null;
  return { params: Int32Array.from([rank, ...padTo(outShape, rank), ...padTo(aShape, rank), ...padTo(bShape, rank)]), outShape };
}

function binaryImpl(op: number): NativeImpl {
  return ({ inputs }, addon, backend) => {
    const a = f32Of(backend, inputs.a), b = f32Of(backend, inputs.b);
    if (!a || !b) return null;
    const plan = binaryParams(inputs.a!.shape, inputs.b!.shape);
    if (!plan) return null;
    const out = allocOutput(backend, plan.outShape);
    addon.binary(op, plan.params, a, b, out.values);
    return out.info;
  };
}

/** The reduce params [rank, shape, reducedFlags] and the output shape, or null for scalars/rank > 8. */
export function reduceParams(shape: number[], axis: number | number[] | undefined, keepDims: boolean): { params: Int32Array; outShape: number[]; count: number } | null {
  if (shape.length === 0 || shape.length > MAX_RANK) return null;
  const axes = new Set(tf.util.parseAxisParam(axis ?? shape.map((_, i) => i), shape));
  const flags = shape.map((_, i) => (axes.has(i) ? 1 : 0));
  const outShape = keepDims ? shape.map((d, i) => (axes.has(i) ? 1 : d)) : shape.filter((_, i) => !axes.has(i));
  const count = shape.reduce((acc, d, i) => (axes.has(i) ? acc * d : acc), 1);
  return { params: Int32Array.from([shape.length, ...shape, ...flags]), outShape, count };
}

function reduceImpl(mean: boolean): NativeImpl {
  return ({ inputs, attrs }, addon, backend) => {
    const x = f32Of(backend, inputs.x);
    if (!x) return null;
    const a = attrs as { axis?: number | number[]; keepDims?: boolean };
    const plan = reduceParams(inputs.x!.shape, a.axis, !!a.keepDims);
    if (!plan) return null;
    const out = allocOutput(backend, plan.outShape);
    addon.reduceSum(plan.params, mean ? 1 / plan.count : 1, x, out.values);
    return out.info;
  };
}

const maxPoolGrad: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const dy = f32Of(backend, inputs.dy), x = f32Of(backend, inputs.input);
  if (!dy || !x) return null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const a = attrs as Record<string, any>;
  const c = tf.backend_util.computePool2DInfo(inputs.input!.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const p = Int32Array.from([c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth, c.filterHeight, c.filterWidth,
    c.strideHeight, c.strideWidth, c.padInfo.top, c.padInfo.left, c.dilationHeight, c.dilationWidth]);
  const out = allocOutput(backend, c.inShape);
  addon.maxPoolGrad(p, x, dy, out.values);
  return out.info;
};

/** Kernel configs of the native elementwise, reduction and pooling-gradient kernels. */
export function nativeElementwiseKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [
    ...Object.entries(BINARY_OPS).map(([name, op]) => nativeKernel(name, binaryImpl(op), addon)),
    nativeKernel('Sum', reduceImpl(false), addon),
    nativeKernel('Mean', reduceImpl(true), addon),
    nativeKernel('MaxPoolGrad', maxPoolGrad, addon),
  ];
}
