/**
 * Depthwise conv gradients on wasm (missing from stock tfjs 4.22 wasm), composed from the
 * forward DepthwiseConv2dNative kernel:
 * - input gradient: depthwise conv of zero-dilated dy (C*m channels, multiplier 1) with the
 *   flipped filter, then a sum over the multiplier;
 * - filter gradient: batch folded into channels (x as [1,H,W,N*C], dy as an [OH,OW,N*C,m]
 *   filter, dilation = stride, stride = dilation), then a sum over the batch.
 */
import { tf } from '../tf.js';
import { runKernel } from './registry.js';
import { pair, flipSpatial } from './conv-geometry.js';
import { inputGradNHWC, filterGradInput } from './conv2d-backprop.js';

interface DepthwiseAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** DepthwiseConv2dNativeBackpropInput for wasm. */
export const depthwiseBackpropInput = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap }): tf.Tensor => {
  const { dy, filter } = args.inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
  const attrs = args.attrs as unknown as DepthwiseAttrs & { inputShape: [number, number, number, number] };
  return tf.tidy(() => {
    const [n, h, w, c] = attrs.inputShape;
    const [fh, fw, , m] = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape, pair(attrs.strides), pair(attrs.dilations), attrs.pad, attrs.dimRoundingMode, true);
    const flipped = tf.reshape(flipSpatial(filter), [fh, fw, c * m, 1]) as tf.Tensor4D;
    const dx = inputGradNHWC(dy, flipped, 'DepthwiseConv2dNative', h, w, info);
    return m === 1 ? dx : tf.sum(tf.reshape(dx, [n, h, w, c, m]), 4);
  });
};

/** DepthwiseConv2dNativeBackpropFilter for wasm. */
export const depthwiseBackpropFilter = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap }): tf.Tensor => {
  const { x, dy } = args.inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
  const attrs = args.attrs as unknown as DepthwiseAttrs & { filterShape: [number, number, number, number] };
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const [fh, fw, , m] = attrs.filterShape;
    const info = tf.backend_util.computeConv2DInfo(x.shape, attrs.filterShape, pair(attrs.strides), pair(attrs.dilations), attrs.pad, attrs.dimRoundingMode, true);
    const { outHeight: oh, outWidth: ow } = info;
    const folded: tf.Tensor4D = n === 1 ? x : tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, n * c]);
    const { x: xp, pad } = filterGradInput(folded, info, h, w);
    const dyT = n === 1 ? tf.reshape(dy, [oh, ow, c, m]) : tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [oh, ow, n * c, m]);
    const g = runKernel('DepthwiseConv2dNative', { x: xp, filter: dyT }, {
      strides: [info.dilationHeight, info.dilationWidth], pad, dilations: [info.strideHeight, info.strideWidth],
    }); // [1, fh, fw, N*C*m]
    const perBatch = tf.reshape(g, [fh, fw, n, c * m]);
    return tf.reshape(n === 1 ? perBatch : tf.sum(perBatch, 2), [fh, fw, c, m]);
  });
};
