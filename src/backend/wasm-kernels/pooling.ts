/**
 * Pooling kernels that are wrong in stock tfjs 4.22 wasm (AvgPool3D, AvgPoolGrad and
 * AvgPool3DGrad are correct and stay stock; MaxPool/AvgPool only need a geometry fix):
 * - MaxPoolGrad and MaxPool3DGrad misroute or drop the gradient of windows whose maximum is
 *   negative (all-positive inputs come out right), so small pools (2x1 / 1x2, as
 *   tfl.layers.maxPooling1d uses; 2x2) on centred data are wrong by the size of dy itself.
 *   After a ReLU the misrouted gradient lands where ReLU' = 0, hiding it from input gradients
 *   but not from Grad-CAM, which reads the gradient at the ReLU output.
 * - MaxPool3D gives wrong maxima when the pool is not a cube (e.g. 2x1x1). Max pooling is
 *   separable, so it is composed of two 2D MaxPools: over (H, W), then over D.
 * - MaxPool/AvgPool with a dimRoundingMode that rounds up ('ceil', 'round') give wrong values or
 *   write out of bounds (XNNPACK sizes the output by flooring): they get the same geometry as
 *   explicit padding, grown at the bottom/right until flooring gives tfjs's output size.
 *
 * The max-pool gradients are one loop over the wasm heap views rather than a composition of
 * kernels: routing dy to the max of each window needs, composed, one slice/compare/mask/pad
 * pass per window offset (kd*kh*kw passes over the input); the argmax scatter is one pass
 * (MaxPoolWithArgmax + scatter would cover only 2D 'same'/'valid'). The window scan
 * matches the cpu backend exactly, ties included: 2D picks the FIRST max in row-major window
 * order (`>`, as TensorFlow), 3D the LAST (`>=`, as tfjs-backend-cpu's maxPool3dPositions);
 * NaN is never picked. Uses the wasm backend's kernel-facing methods, as slice.ts does.
 */
import { tf } from '../tf.js';
import { runKernel, runStock } from './registry.js';

/** The wasm backend methods the stock kernels use to read and write the heap. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface PoolAttrs {
  filterSize: number | number[];
  strides: number | number[];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** A pool geometry as a 3D one (2D pools have depth 1); only what the scatter reads. */
interface Geometry {
  n: number; c: number;
  inD: number; inH: number; inW: number;
  outD: number; outH: number; outW: number;
  sD: number; sH: number; sW: number;
  fD: number; fH: number; fW: number;
  padFront: number; padTop: number; padLeft: number;
}

/**
 * dx for a max pool: each dy element is added to the max of its window in x (NHWC / NDHWC,
 * flat). `lastMax` picks the last of tied maxima instead of the first.
 */
function maxPoolScatter(x: ArrayLike<number>, dy: ArrayLike<number>, dx: Float32Array | Int32Array | Uint8Array, g: Geometry, lastMax: boolean): void {
  dx.fill(0);
  const rowW = g.inW * g.c;
  const planeH = g.inH * rowW;
  const batchX = g.inD * planeH;
  let o = 0;
  for (let b = 0; b < g.n; b++) {
    const xb = b * batchX;
    for (let od = 0; od < g.outD; od++) {
      const d0 = od * g.sD - g.padFront;
      const dMin = Math.max(0, d0);
      const dMax = Math.min(g.inD, d0 + g.fD);
      for (let oh = 0; oh < g.outH; oh++) {
        const h0 = oh * g.sH - g.padTop;
        const hMin = Math.max(0, h0);
        const hMax = Math.min(g.inH, h0 + g.fH);
        for (let ow = 0; ow < g.outW; ow++) {
          const w0 = ow * g.sW - g.padLeft;
          const wMin = Math.max(0, w0);
          const wMax = Math.min(g.inW, w0 + g.fW);
          for (let ch = 0; ch < g.c; ch++, o++) {
            let best = Number.NEGATIVE_INFINITY;
            let at = -1;
            for (let d = dMin; d < dMax; d++) {
              for (let h = hMin; h < hMax; h++) {
                let i = xb + d * planeH + h * rowW + wMin * g.c + ch;
                for (let w = wMin; w < wMax; w++, i += g.c) {
                  const v = x[i];
                  if (v > best || (lastMax && v === best)) {
                    best = v;
                    at = i;
                  }
                }
              }
            }
            if (at >= 0) dx[at] += dy[o];
          }
        }
      }
    }
  }
}

/** Runs the scatter into a new wasm tensor shaped like `input`. */
function maxPoolGradOnHeap(backend: WasmBackend, input: tf.TensorInfo, dy: tf.TensorInfo, g: Geometry, lastMax: boolean): tf.TensorInfo {
  const dx = backend.makeOutput(input.shape, input.dtype);
  // Views are taken after makeOutput: allocating may grow (and detach) the heap buffer.
  maxPoolScatter(backend.typedArrayFromHeap(input), backend.typedArrayFromHeap(dy), backend.typedArrayFromHeap(dx), g, lastMax);
  return dx;
}

/** MaxPoolGrad kernel for wasm (inputs dy, input, output; first max of each window). */
export const maxPoolGrad = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo => {
  const { dy, input } = args.inputs;
  const a = args.attrs as unknown as PoolAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize as [number, number], a.strides as [number, number], 1, a.pad, a.dimRoundingMode);
  const g: Geometry = {
    n: info.batchSize, c: info.inChannels, inD: 1, inH: info.inHeight, inW: info.inWidth,
    outD: 1, outH: info.outHeight, outW: info.outWidth, sD: 1, sH: info.strideHeight, sW: info.strideWidth,
    fD: 1, fH: info.effectiveFilterHeight, fW: info.effectiveFilterWidth, padFront: 0, padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
  return maxPoolGradOnHeap(args.backend as WasmBackend, input, dy, g, false);
};

/** MaxPool3DGrad kernel for wasm (inputs dy, input, output; last max of each window, as cpu). */
export const maxPool3DGrad = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo => {
  const { dy, input } = args.inputs;
  const a = args.attrs as unknown as PoolAttrs;
  const info = tf.backend_util.computePool3DInfo(input.shape as [number, number, number, number, number], a.filterSize as [number, number, number], a.strides as [number, number, number], 1, a.pad as 'valid' | 'same' | number, a.dimRoundingMode);
  const g: Geometry = {
    n: info.batchSize, c: info.inChannels, inD: info.inDepth, inH: info.inHeight, inW: info.inWidth,
    outD: info.outDepth, outH: info.outHeight, outW: info.outWidth, sD: info.strideDepth, sH: info.strideHeight, sW: info.strideWidth,
    fD: info.effectiveFilterDepth, fH: info.effectiveFilterHeight, fW: info.effectiveFilterWidth,
    padFront: info.padInfo.front, padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
  return maxPoolGradOnHeap(args.backend as WasmBackend, input, dy, g, true);
};

/** MaxPool3D kernel for wasm: a 2D max pool over (H, W) per depth slice, then one over D. */
export const maxPool3D = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap }): tf.Tensor => {
  const { x } = args.inputs;
  const a = args.attrs as unknown as PoolAttrs;
  const info = tf.backend_util.computePool3DInfo(x.shape as [number, number, number, number, number], a.filterSize as [number, number, number], a.strides as [number, number, number], 1, a.pad as 'valid' | 'same' | number, a.dimRoundingMode);
  const { batchSize: n, inDepth: d, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, padInfo: p } = info;
  return tf.tidy(() => {
    // Explicit paddings (with the same rounding) reproduce the 3D geometry axis by axis.
    const planes = runKernel('MaxPool', { x: tf.reshape(x, [n * d, h, w, c]) }, {
      filterSize: [info.filterHeight, info.filterWidth], strides: [info.strideHeight, info.strideWidth],
      pad: [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]], dimRoundingMode: a.dimRoundingMode,
    } as unknown as tf.NamedAttrMap);
    const out = runKernel('MaxPool', { x: tf.reshape(planes, [n, d, oh * ow, c]) }, {
      filterSize: [info.filterDepth, 1], strides: [info.strideDepth, 1],
      pad: [[0, 0], [p.front, p.back], [0, 0], [0, 0]], dimRoundingMode: a.dimRoundingMode,
    } as unknown as tf.NamedAttrMap);
    return tf.reshape(out, info.outShape);
  });
};

/** Pool attrs with dimRoundingMode replaced by explicit padding that floors to the same output size. */
function flooredPoolAttrs(shape: number[], a: PoolAttrs): PoolAttrs {
  if (a.dimRoundingMode === undefined || a.dimRoundingMode === 'floor') return a;
  const info = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], a.filterSize as [number, number], a.strides as [number, number], 1, a.pad, a.dimRoundingMode);
  const { top, left } = info.padInfo;
  // The bottom/right padding that makes the last window end exactly at the padded edge.
  const bottom = Math.max(0, (info.outHeight - 1) * info.strideHeight + info.filterHeight - info.inHeight - top);
  const right = Math.max(0, (info.outWidth - 1) * info.strideWidth + info.filterWidth - info.inWidth - left);
  return { filterSize: a.filterSize, strides: a.strides, pad: [[0, 0], [top, bottom], [left, right], [0, 0]] };
}

/** A stock wasm 2D pool kernel that also handles dimRoundingMode 'ceil' / 'round' correctly. */
function roundingSafePool(kernelName: 'MaxPool' | 'AvgPool') {
  return (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap }): tf.Tensor =>
    runStock(kernelName, args.inputs, flooredPoolAttrs(args.inputs.x.shape, args.attrs as unknown as PoolAttrs) as unknown as tf.NamedAttrMap);
}

/** MaxPool kernel for wasm (stock, with dimRoundingMode fixed). */
export const maxPool = roundingSafePool('MaxPool');
/** AvgPool kernel for wasm (stock, with dimRoundingMode fixed). */
export const avgPool = roundingSafePool('AvgPool');
