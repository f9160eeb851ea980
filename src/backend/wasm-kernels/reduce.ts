/**
 * Sum and Mean over leading axes for wasm (batch-norm statistics and their gradients reduce
 * [N,H,W,C] over N,H,W hundreds of times per step): the stock kernels transpose the reduced
 * axes inward first; a product ones[1,R] x x[R,C] on the fast matmul is ~5x faster. Other
 * reductions keep the stock kernels.
 */
import { tf } from '../tf.js';
import { runStock } from './registry.js';
import { product } from './tile-util.js';

/** Below this many reduced rows the stock kernel is as fast. */
const MIN_ROWS = 64;

function leadingReduce(kernel: 'Sum' | 'Mean', args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap }): tf.Tensor {
  const { x } = args.inputs;
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const k = axes.length;
  const rows = product(x.shape.slice(0, k));
  const leading = axes.every((a, i) => a === i);
  if (x.dtype !== 'float32' || k === 0 || k === x.rank || !leading || rows < MIN_ROWS) {
    return runStock(kernel, { x }, args.attrs ?? {});
  }
  return tf.tidy(() => {
    const rest = x.shape.slice(k);
    let out = tf.matMul(tf.ones([1, rows]), tf.reshape(x, [rows, product(rest)]));
    if (kernel === 'Mean') out = tf.div(out, tf.scalar(rows));
    return tf.reshape(out, keepDims ? [...new Array(k).fill(1), ...rest] : rest);
  });
}

/** Sum kernel for wasm. */
export const sum = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap }): tf.Tensor => leadingReduce('Sum', args);

/** Mean kernel for wasm. */
export const mean = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap }): tf.Tensor => leadingReduce('Mean', args);
