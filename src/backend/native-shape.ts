/**
 * Data-movement kernels of the 'native' backend written with typed-array block copies (no
 * addon call needed): tfjs-cpu's SplitV slices element by element and took over a third of an
 * LSTM training step, which splits its gate pre-activations every time step.
 */
import { tf } from './tf.js';
import { allocOutput, f32Of, nativeKernel, type NativeAddon, type NativeImpl } from './native-addon.js';

const splitV: NativeImpl = ({ inputs, attrs }, _addon, backend) => {
  const x = f32Of(backend, inputs.x);
  if (!x) return null;
  const shape = inputs.x!.shape;
  const a = attrs as { numOrSizeSplits: number | number[]; axis: number };
  const axis = tf.util.parseAxisParam(a.axis, shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(inputs.x!, a.numOrSizeSplits, axis);
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const rowLen = shape[axis] * inner;
  let start = 0;
  return sizes.map((size) => {
    const out = allocOutput(backend, shape.map((d, i) => (i === axis ? size : d)));
    const block = size * inner;
    for (let o = 0; o < outer; o++) {
      const from = o * rowLen + start * inner;
      out.values.set(x.subarray(from, from + block), o * block);
    }
    start += size;
    return out.info;
  });
};

/** Kernel configs of the native data-movement kernels. */
export function nativeShapeKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [nativeKernel('SplitV', splitV, addon)];
}
