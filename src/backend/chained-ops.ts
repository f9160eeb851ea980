/**
 * Installs tfjs' chained tensor methods (`x.sum()`, `x.flatten()`, ...). tfjs-core's Node bundle
 * does not register them (the `@tensorflow/tfjs` umbrella does, via a side-effect import that would
 * load a second copy of core here), and tfjs-layers relies on a few of them (e.g. the Orthogonal
 * initializer calls `flatten`). Each method forwards to the functional op, like the originals.
 */
import * as tf from '@tensorflow/tfjs-core';

type AnyFn = (...args: unknown[]) => unknown;

/** Chained names that forward to the functional op of the same name: `x.op(...a) = tf.op(x, ...a)`. */
const SAME_NAME = (
  'abs acos acosh add all any argMax argMin asin asinh atan atan2 atanh avgPool batchToSpaceND batchNorm ' +
  'broadcastTo cast ceil clipByValue concat conv1d conv2d conv2dTranspose cos cosh cumprod cumsum depthToSpace ' +
  'depthwiseConv2d dilation2d div divNoNan dot elu equal erf euclideanNorm exp expandDims expm1 floor floorDiv ' +
  'gather greater greaterEqual isFinite isInf isNaN leakyRelu less lessEqual localResponseNormalization log log1p ' +
  'logSigmoid logSoftmax logSumExp logicalAnd logicalNot logicalOr logicalXor matMul max maxPool maximum mean min ' +
  'minimum mirrorPad mod mul neg norm notEqual oneHot onesLike pad pool pow prelu prod reciprocal relu relu6 ' +
  'reshape reverse round rsqrt selu separableConv2d sigmoid sign sin sinh slice softmax softplus spaceToBatchND ' +
  'split sqrt square squaredDifference squeeze stack step stridedSlice sub sum tan tanh tile topk transpose ' +
  'unique unsortedSegmentSum unstack where zerosLike'
).split(' ');

/** Chained names whose op lives elsewhere or takes other arguments. */
const SPECIAL: Record<string, (t: tf.Tensor, ...a: unknown[]) => tf.Tensor | tf.Tensor[] | unknown> = {
  flatten: (t) => tf.reshape(t, [t.size]),
  asScalar: (t) => tf.reshape(t, []),
  as1D: (t) => tf.reshape(t, [t.size]),
  as2D: (t, r, c) => tf.reshape(t, [r as number, c as number]),
  as3D: (t, r, c, d) => tf.reshape(t, [r as number, c as number, d as number]),
  as4D: (t, r, c, d, e) => tf.reshape(t, [r as number, c as number, d as number, e as number]),
  as5D: (t, r, c, d, e, f) => tf.reshape(t, [r as number, c as number, d as number, e as number, f as number]),
  asType: (t, dtype) => tf.cast(t, dtype as tf.DataType),
  toBool: (t) => tf.cast(t, 'bool'),
  toFloat: (t) => tf.cast(t, 'float32'),
  toInt: (t) => tf.cast(t, 'int32'),
  reshapeAs: (t, x) => tf.reshape(t, (x as tf.Tensor).shape),
  resizeBilinear: (t, ...a) => (tf.image.resizeBilinear as AnyFn)(t, ...a),
  resizeNearestNeighbor: (t, ...a) => (tf.image.resizeNearestNeighbor as AnyFn)(t, ...a),
  fft: (t) => tf.spectral.fft(t),
  ifft: (t) => tf.spectral.ifft(t),
  rfft: (t) => tf.spectral.rfft(t),
  irfft: (t) => tf.spectral.irfft(t),
};

/** Adds the chained methods missing on tf.Tensor's prototype; existing ones are left alone. Idempotent. */
export function installChainedOps(): void {
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const ops = tf as unknown as Record<string, unknown>;
  const define = (name: string, impl: AnyFn) => {
    if (typeof proto[name] === 'function') return;
    proto[name] = function (this: tf.Tensor, ...args: unknown[]) {
      this.throwIfDisposed();
      return impl(this, ...args);
    };
  };
  for (const name of SAME_NAME) {
    const op = ops[name];
    if (typeof op === 'function') define(name, op as AnyFn);
  }
  for (const [name, impl] of Object.entries(SPECIAL)) define(name, impl as AnyFn);
}
