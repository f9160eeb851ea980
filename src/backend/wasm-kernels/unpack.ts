/**
 * Unpack (unstack) for wasm: the stock kernel slices along the axis, and slices that are not
 * contiguous are copied row by row in JS (~80 ms to unstack an LSTM input [16,256,32] along
 * time). Moving the axis to the front with one wasm Transpose makes every slice a single
 * contiguous copy.
 */
import { tf } from '../tf.js';
import { runStockMulti } from './registry.js';

/** Unpack kernel for wasm. */
export const unpack = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap }): tf.Tensor[] => {
  const { value } = args.inputs;
  const rank = value.rank;
  const axis = ((args.attrs as { axis: number }).axis + rank) % rank;
  const leadingOnes = value.shape.slice(0, axis).every((d) => d === 1);
  if (axis === 0 || leadingOnes || value.dtype === 'string') {
    return runStockMulti('Unpack', { value }, { axis });
  }
  const perm = [axis, ...value.shape.map((_, i) => i).filter((i) => i !== axis)];
  const front = tf.transpose(value, perm);
  const outs = runStockMulti('Unpack', { value: front }, { axis: 0 });
  front.dispose();
  return outs;
};
