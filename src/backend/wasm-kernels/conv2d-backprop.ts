/**
 * Conv2D gradients on wasm composed from the fast (XNNPACK) forward Conv2D kernel:
 * - input gradient: a stride-1 convolution of zero-dilated, padded dy with the spatially flipped,
 *   in/out-transposed filter (stock wasm uses a naive loop, 5-10x slower);
 * - filter gradient (missing on stock wasm): a convolution of x as [Ci,H,W,N] with dy as an
 *   [OH,OW,N,Co] filter and dilation = stride, giving [Ci,fh,fw,Co].
 */
import { tf } from '../tf.js';
import { runKernel, runStock } from './registry.js';
import { zeroDilate, cropNegative, pair, flipSpatial } from './conv-geometry.js';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const toNHWC = (t: tf.Tensor4D, format?: string): tf.Tensor4D => (format === 'NCHW' ? tf.transpose(t, [0, 2, 3, 1]) : t);
const fromNHWC = (t: tf.Tensor4D, format?: string): tf.Tensor4D => (format === 'NCHW' ? tf.transpose(t, [0, 3, 1, 2]) : t);
const shapeNHWC = (s: number[], format?: string): [number, number, number, number] =>
  format === 'NCHW' ? [s[0], s[2], s[3], s[1]] : [s[0], s[1], s[2], s[3]];

/** Explicit NHWC padding for the forward conv that `pad` means, via tfjs' own conv geometry. */
function forwardPadInfo(xShape: [number, number, number, number], filterShape: [number, number, number, number], strides: [number, number], dilations: [number, number], pad: Pad, round: ConvAttrs['dimRoundingMode'], depthwise: boolean) {
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad, round, depthwise, 'channelsLast');
}

/**
 * dx of a (depthwise or regular) conv as a forward conv on the zero-dilated dy. `flipped` is the
 * spatially reversed filter laid out for the forward kernel named by `kernel`.
 */
export function inputGradNHWC(dy: tf.Tensor4D, flipped: tf.Tensor4D, kernel: 'Conv2D' | 'DepthwiseConv2dNative', inH: number, inW: number, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, filterHeight: fh, filterWidth: fw } = info;
  const dil = zeroDilate(dy, sh, sw);
  const top = (fh - 1) * dh - info.padInfo.top;
  const left = (fw - 1) * dw - info.padInfo.left;
  const bottom = inH + (fh - 1) * dh - top - dil.shape[1];
  const right = inW + (fw - 1) * dw - left - dil.shape[2];
  const { x, pad } = cropNegative(dil, top, bottom, left, right);
  return runKernel(kernel, { x, filter: flipped }, { strides: [1, 1], pad, dilations: [dh, dw], dataFormat: 'NHWC' }) as tf.Tensor4D;
}

/**
 * Pads/crops x for a filter-gradient convolution whose output positions are 0, d, 2d, ... so
 * that exactly `fh` x `fw` outputs result.
 */
export function filterGradInput(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo, h: number, w: number) {
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, filterHeight: fh, filterWidth: fw, outHeight: oh, outWidth: ow } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const bottom = (fh - 1) * dh + (oh - 1) * sh + 1 - top - h;
  const right = (fw - 1) * dw + (ow - 1) * sw + 1 - left - w;
  return cropNegative(x, top, bottom, left, right);
}

type BackpropInputAttrs = ConvAttrs & { inputShape: [number, number, number, number] };

/** The composed input gradient (always, without the stock fallback); exported for tests. */
export function composedConv2DBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, attrs: BackpropInputAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const xShape = shapeNHWC(attrs.inputShape, attrs.dataFormat);
    const info = forwardPadInfo(xShape, filter.shape, pair(attrs.strides), [1, 1], attrs.pad, attrs.dimRoundingMode, false);
    // Swap in/out channels ([fh,fw,Ci,Co] -> [fh,fw,Co,Ci]) and flip spatially.
    const flipped = flipSpatial(tf.transpose(filter, [0, 1, 3, 2]));
    const dx = inputGradNHWC(toNHWC(dy, attrs.dataFormat), flipped, 'Conv2D', xShape[1], xShape[2], info);
    return fromNHWC(dx, attrs.dataFormat);
  });
}

/**
 * Conv2DBackpropInput for wasm. Measured: with a tiny spatial size (e.g. 2x2x512) preparing the
 * big flipped filter costs more than the stock loop saves, and with <= 4 input channels at
 * stride > 1 (a first layer) the zero-dilated conv wastes too much: the stock kernel wins both.
 */
export const conv2DBackpropInput = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap }): tf.Tensor => {
  const { dy, filter } = args.inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
  const attrs = args.attrs as unknown as BackpropInputAttrs;
  const [n, h, w, c] = shapeNHWC(attrs.inputShape, attrs.dataFormat);
  const [sh, sw] = pair(attrs.strides);
  if (n * h * w < 256 || (c <= 4 && sh * sw > 1)) return runStock('Conv2DBackpropInput', { dy, filter }, args.attrs ?? {});
  return composedConv2DBackpropInput(dy, filter, attrs);
};

/** Conv2DBackpropFilter for wasm (missing from stock tfjs 4.22 wasm). */
export const conv2DBackpropFilter = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap }): tf.Tensor => {
  const inputs = args.inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
  return tf.tidy(() => {
    const x = toNHWC(inputs.x, attrs.dataFormat);
    const dy = toNHWC(inputs.dy, attrs.dataFormat);
    const [, h, w] = x.shape;
    const info = forwardPadInfo(x.shape, attrs.filterShape, pair(attrs.strides), [1, 1], attrs.pad, attrs.dimRoundingMode, false);
    const [fh, fw, ci, co] = attrs.filterShape;
    if (fh === 1 && fw === 1 && info.strideHeight === 1 && info.strideWidth === 1 && info.outHeight === h && info.outWidth === w) {
      // 1x1 stride-1 unpadded: a plain matmul x^T dy.
      const g = tf.matMul(tf.reshape(x, [-1, ci]), tf.reshape(dy, [-1, co]), true, false);
      return tf.reshape(g, attrs.filterShape);
    }
    const { x: xp, pad } = filterGradInput(x, info, h, w);
    const xT = tf.transpose(xp, [3, 1, 2, 0]); // [Ci, H, W, N]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, Co]
    const g = runKernel('Conv2D', { x: xT, filter: dyT }, {
      strides: [info.dilationHeight, info.dilationWidth], pad, dilations: [info.strideHeight, info.strideWidth], dataFormat: 'NHWC',
    }) as tf.Tensor4D; // [Ci, fh, fw, Co]
    return tf.transpose(g, [1, 2, 0, 3]);
  });
};
