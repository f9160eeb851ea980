/**
 * Max and average pooling (2D, 3D) and their gradients of the 'native' backend on oneDNN
 * pooling primitives (native/src/pooling.cc): tfjs-cpu's loops (and the first native loops)
 * were single-threaded and unvectorised, e.g. 12 ms of a 64 px cnn64 forward. Geometry comes
 * from tfjs' computePool2DInfo/computePool3DInfo, so sizes and padding are exactly tfjs'.
 * Channels-last only; a geometry oneDNN cannot take falls back to the cpu kernel.
 */
import { tf } from './tf.js';
import { allocOutput, f32Of, nativeKernel, type NativeAddon, type NativeImpl } from './native-addon.js';

type Pool2DInfo = ReturnType<typeof tf.backend_util.computePool2DInfo>;
type Pool3DInfo = ReturnType<typeof tf.backend_util.computePool3DInfo>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Attrs = Record<string, any>;

/** Algorithm codes of native/src/pooling.h. */
const POOL_MAX = 0, POOL_AVG = 1;

/** The PoolParams array of native/src/pooling.h for a 2D pooling. */
export function pool2DParams(c: Pool2DInfo): Int32Array {
  return Int32Array.from([
    2, c.batchSize, 1, c.inHeight, c.inWidth, c.inChannels, 1, c.outHeight, c.outWidth, 1, c.filterHeight, c.filterWidth,
    1, c.strideHeight, c.strideWidth, 0, c.padInfo.top, c.padInfo.left, 1, c.dilationHeight, c.dilationWidth,
  ]);
}

/** The PoolParams array of native/src/pooling.h for a 3D pooling. */
export function pool3DParams(c: Pool3DInfo): Int32Array {
  return Int32Array.from([
    3, c.batchSize, c.inDepth, c.inHeight, c.inWidth, c.inChannels, c.outDepth, c.outHeight, c.outWidth, c.filterDepth,
    c.filterHeight, c.filterWidth, c.strideDepth, c.strideHeight, c.strideWidth, c.padInfo.front, c.padInfo.top, c.padInfo.left,
    c.dilationDepth, c.dilationHeight, c.dilationWidth,
  ]);
}

/** Pooling geometry from the input shape and kernel attrs: tfjs' info and the PoolParams, or null if unsupported. */
type Geometry = (xShape: number[], a: Attrs) => { c: Pool2DInfo | Pool3DInfo; params: Int32Array } | null;

const geometry2D: Geometry = (xShape, a) => {
  if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC') return null;
  const c = tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  return { c, params: pool2DParams(c) };
};

const geometry3D: Geometry = (xShape, a) => {
  if (a.dataFormat !== undefined && a.dataFormat !== 'NDHWC') return null;
  const c = tf.backend_util.computePool3DInfo(
    xShape as [number, number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode,
  );
  return { c, params: pool3DParams(c) };
};

/** Forward pooling x -> y. */
function forward(geometry: Geometry, alg: number): NativeImpl {
  return ({ inputs, attrs }, addon, backend) => {
    const x = f32Of(backend, inputs.x);
    const g = x && geometry(inputs.x!.shape, attrs as Attrs);
    if (!x || !g) return null;
    const out = allocOutput(backend, g.c.outShape);
    return addon.poolForward(g.params, alg, x, out.values) ? out.info : (backend.disposeData(out.info.dataId), null);
  };
}

/** Max-pool gradient (inputs dy, input, output): dy goes to the first maximum of each window. */
function maxBackward(geometry: Geometry): NativeImpl {
  return ({ inputs, attrs }, addon, backend) => {
    const x = f32Of(backend, inputs.input), y = f32Of(backend, inputs.output), dy = f32Of(backend, inputs.dy);
    const g = x && y && dy && geometry(inputs.input!.shape, attrs as Attrs);
    if (!x || !y || !dy || !g) return null;
    const out = allocOutput(backend, g.c.inShape);
    return addon.maxPoolBackward(g.params, x, y, dy, out.values) ? out.info : (backend.disposeData(out.info.dataId), null);
  };
}

/** Average-pool gradient (inputs dy, input). */
function avgBackward(geometry: Geometry): NativeImpl {
  return ({ inputs, attrs }, addon, backend) => {
    const dy = f32Of(backend, inputs.dy);
    const g = dy && geometry(inputs.input!.shape, attrs as Attrs);
    if (!dy || !g) return null;
    const out = allocOutput(backend, g.c.inShape);
    return addon.avgPoolBackward(g.params, dy, out.values) ? out.info : (backend.disposeData(out.info.dataId), null);
  };
}

/** Kernel configs of the oneDNN pooling kernels. */
export function nativePoolingKernels(addon: NativeAddon): tf.KernelConfig[] {
  const impls: Record<string, NativeImpl> = {
    MaxPool: forward(geometry2D, POOL_MAX),
    AvgPool: forward(geometry2D, POOL_AVG),
    MaxPoolGrad: maxBackward(geometry2D),
    AvgPoolGrad: avgBackward(geometry2D),
    MaxPool3D: forward(geometry3D, POOL_MAX),
    AvgPool3D: forward(geometry3D, POOL_AVG),
    MaxPool3DGrad: maxBackward(geometry3D),
    AvgPool3DGrad: avgBackward(geometry3D),
  };
  return Object.entries(impls).map(([name, impl]) => nativeKernel(name, impl, addon));
}
