/**
 * UnsortedSegmentSum for wasm (missing from stock tfjs 4.22 wasm; it is the gradient of Gather,
 * e.g. embeddings and gathered tokens): a one-hot matrix product, which runs on the fast matmul.
 * Out-of-range ids (e.g. -1) contribute nothing, as in TensorFlow.
 */
import { tf } from '../tf.js';

/** UnsortedSegmentSum kernel for wasm. */
export const unsortedSegmentSum = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap }): tf.Tensor => {
  const { x, segmentIds } = args.inputs;
  const { numSegments } = args.attrs as { numSegments: number };
  return tf.tidy(() => {
    const ids = tf.reshape(segmentIds, [-1]);
    const n = ids.shape[0];
    const rest = x.shape.slice(segmentIds.rank);
    const data = tf.reshape(tf.cast(x, 'float32'), [n, -1]);
    const oneHot = tf.cast(tf.oneHot(tf.cast(ids, 'int32'), numSegments), 'float32'); // [n, numSegments]
    const out = tf.reshape(tf.matMul(oneHot, data, true, false), [numSegments, ...rest]);
    return x.dtype === 'float32' ? out : tf.cast(out, x.dtype);
  });
};
