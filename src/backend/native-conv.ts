/**
 * Convolution kernels of the 'native' backend on oneDNN: Conv2D, FusedConv2D, their
 * depthwise variants, Conv3D, and all their input/filter gradients (channels-last only; NCHW
 * and prelu go to the cpu kernels). tfjs' conv_util computes output sizes and padding, so the
 * addon gets exactly the geometry tfjs would use.
 */
import { tf } from './tf.js';
import { activationCode, allocOutput, f32Of, nativeKernel, type NativeAddon, type NativeImpl } from './native-addon.js';
import { onBufferRecycled } from './native-pool.js';

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
type Conv3DInfo = ReturnType<typeof tf.backend_util.computeConv3DInfo>;
type Shape4 = [number, number, number, number];
type Shape5 = [number, number, number, number, number];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Attrs = Record<string, any>;

/** The ConvParams array of native/src/conv.h for a 2D convolution. */
export function conv2DParams(c: Conv2DInfo, depthwise: boolean, act = 0, hasBias = false): Int32Array {
  const p = c.padInfo;
  const groups = depthwise && c.inChannels > 1 ? c.inChannels : 1;
  return Int32Array.from([
    2, c.batchSize, 1, c.inHeight, c.inWidth, c.inChannels, c.outChannels, 1, c.filterHeight, c.filterWidth,
    1, c.outHeight, c.outWidth, 1, c.strideHeight, c.strideWidth, 1, c.dilationHeight, c.dilationWidth,
    0, p.top, p.left, 0, p.bottom, p.right, groups, act, hasBias ? 1 : 0,
  ]);
}

/** The ConvParams array of native/src/conv.h for a 3D convolution. */
export function conv3DParams(c: Conv3DInfo): Int32Array {
  const p = c.padInfo;
  return Int32Array.from([
    3, c.batchSize, c.inDepth, c.inHeight, c.inWidth, c.inChannels, c.outChannels, c.filterDepth, c.filterHeight, c.filterWidth,
    c.outDepth, c.outHeight, c.outWidth, c.strideDepth, c.strideHeight, c.strideWidth, c.dilationDepth, c.dilationHeight,
    c.dilationWidth, p.front, p.top, p.left, p.back, p.bottom, p.right, 1, 0, 0,
  ]);
}

/** Roles a weights array plays (bit flags): forward conv, input gradient; each has its own packed layout. */
const FORWARD = 1, BACKWARD_DATA = 2;

const weightsUses = new WeakMap<Float32Array, { id: number; seen: number; registered: boolean }>();
let lastWeightsId = 0;
let releaseWeights: FinalizationRegistry<number> | undefined;

/**
 * The id under which the addon keeps `w` reordered for `role`, or 0 (reorder, keep nothing)
 * the first time `w` plays that role: weights used once (a training step's) cost no memory,
 * weights used again (a model being explained: every gradient call) skip all weight reorders.
 * Ids are never reused; the kept copies are released when `w` is garbage collected. tfjs never
 * changes a tensor's values in place, so an id means the same values until the buffer pool
 * recycles the array (forgetRecycledWeights).
 */
function weightsIdFor(w: Float32Array, role: number, addon: NativeAddon): number {
  let use = weightsUses.get(w);
  if (!use) weightsUses.set(w, (use = { id: ++lastWeightsId, seen: 0, registered: false }));
  const again = (use.seen & role) !== 0;
  if (again && !use.registered) {
    releaseWeights ??= new FinalizationRegistry((id) => addon.convReleaseWeights(id));
    releaseWeights.register(w, use.id, w);
    use.registered = true;
  }
  use.seen |= role;
  return again ? use.id : 0;
}

/** Drops what is kept for a weights array the pool took back (it will hold other values). */
function forgetRecycledWeights(addon: NativeAddon): (values: Float32Array) => void {
  return (values) => {
    const use = weightsUses.get(values);
    if (!use) return;
    weightsUses.delete(values);
    if (use.registered) {
      releaseWeights?.unregister(values);
      addon.convReleaseWeights(use.id);
    }
  };
}

const channelsLast = (attrs: Attrs | undefined) => attrs?.dataFormat === undefined || attrs.dataFormat === 'NHWC';

function info2D(xShape: number[], fShape: number[], a: Attrs, depthwise: boolean, dilations: unknown = a.dilations ?? 1): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4, fShape as Shape4, a.strides, dilations as number, a.pad, a.dimRoundingMode, depthwise, 'channelsLast',
  );
}

/** Forward conv (plain or fused) on 2D inputs; `depthwise` selects grouped weights. */
function forward2D(depthwise: boolean, fused: boolean): NativeImpl {
  return ({ inputs, attrs }, addon, backend) => {
    const a = attrs as Attrs;
    if (!channelsLast(a)) return null;
    const act = fused ? activationCode(a.activation) : 0;
    if (act === undefined) return null;
    const x = f32Of(backend, inputs.x), w = f32Of(backend, inputs.filter);
    const bias = fused && inputs.bias ? f32Of(backend, inputs.bias) : undefined;
    if (!x || !w || (fused && inputs.bias && !bias)) return null;
    const c = info2D(inputs.x!.shape, inputs.filter!.shape, a, depthwise);
    if (bias && bias.length !== c.outChannels) return null;
    const out = allocOutput(backend, c.outShape);
    addon.convForward(conv2DParams(c, depthwise, act, !!bias), a.leakyreluAlpha ?? 0.2, x, w, bias ?? null, out.values, weightsIdFor(w, FORWARD, addon));
    return out.info;
  };
}

function info3D(xShape: number[], fShape: number[], a: Attrs): Conv3DInfo {
  return tf.backend_util.computeConv3DInfo(xShape as Shape5, fShape as Shape5, a.strides, a.dilations ?? 1, a.pad);
}

const conv3D: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const x = f32Of(backend, inputs.x), w = f32Of(backend, inputs.filter);
  if (!x || !w) return null;
  const c = info3D(inputs.x!.shape, inputs.filter!.shape, attrs as Attrs);
  const out = allocOutput(backend, c.outShape);
  addon.convForward(conv3DParams(c), 0, x, w, null, out.values, weightsIdFor(w, FORWARD, addon));
  return out.info;
};

/** Geometry of a conv gradient from input and filter shapes: tfjs' info and the ConvParams, or null if unsupported. */
type Geometry = (xShape: number[], fShape: number[], a: Attrs) => { c: Conv2DInfo | Conv3DInfo; params: Int32Array } | null;

/** 2D gradient geometry (channels-last only); tfjs passes dilations to depthwise gradients only. */
const geometry2D = (depthwise: boolean): Geometry => (xShape, fShape, a) => {
  if (!channelsLast(a)) return null;
  const c = info2D(xShape, fShape, a, depthwise, depthwise ? a.dilations : 1);
  return { c, params: conv2DParams(c, depthwise) };
};

const geometry3D: Geometry = (xShape, fShape, a) => {
  const c = info3D(xShape, fShape, a);
  return { c, params: conv3DParams(c) };
};

/** Gradient of a conv with respect to its input. */
function backwardData(geometry: Geometry): NativeImpl {
  return ({ inputs, attrs }, addon, backend) => {
    const a = attrs as Attrs;
    const dy = f32Of(backend, inputs.dy), w = f32Of(backend, inputs.filter);
    if (!dy || !w) return null;
    const g = geometry(a.inputShape, inputs.filter!.shape, a);
    if (!g) return null;
    const out = allocOutput(backend, g.c.inShape);
    addon.convBackwardData(g.params, dy, w, out.values, weightsIdFor(w, BACKWARD_DATA, addon));
    return out.info;
  };
}

/** Gradient of a conv with respect to its filter. */
function backwardFilter(geometry: Geometry): NativeImpl {
  return ({ inputs, attrs }, addon, backend) => {
    const a = attrs as Attrs;
    const x = f32Of(backend, inputs.x), dy = f32Of(backend, inputs.dy);
    if (!x || !dy) return null;
    const g = geometry(inputs.x!.shape, a.filterShape, a);
    if (!g) return null;
    const out = allocOutput(backend, g.c.filterShape);
    addon.convBackwardWeights(g.params, x, dy, out.values);
    return out.info;
  };
}

/** Kernel configs of every oneDNN-backed convolution. */
export function nativeConvKernels(addon: NativeAddon): tf.KernelConfig[] {
  onBufferRecycled(forgetRecycledWeights(addon));
  const impls: Record<string, NativeImpl> = {
    Conv2D: forward2D(false, false),
    FusedConv2D: forward2D(false, true),
    Conv2DBackpropInput: backwardData(geometry2D(false)),
    Conv2DBackpropFilter: backwardFilter(geometry2D(false)),
    DepthwiseConv2dNative: forward2D(true, false),
    FusedDepthwiseConv2D: forward2D(true, true),
    DepthwiseConv2dNativeBackpropInput: backwardData(geometry2D(true)),
    DepthwiseConv2dNativeBackpropFilter: backwardFilter(geometry2D(true)),
    Conv3D: conv3D,
    Conv3DBackpropInputV2: backwardData(geometry3D),
    Conv3DBackpropFilterV2: backwardFilter(geometry3D),
  };
  return Object.entries(impls).map(([name, impl]) => nativeKernel(name, impl, addon));
}
