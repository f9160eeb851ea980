/**
 * Slice, Unpack and SplitV for wasm. The stock Slice reads its input with `readSync`, which
 * copies the WHOLE input out of the wasm heap for every slice, so unstacking a [16,256,32]
 * LSTM input along time copies it 256 times (~80 ms). These read a view of the heap instead
 * and copy only the sliced rows. They use the wasm backend's own kernel-facing methods
 * (makeOutput, typedArrayFromHeap), as its stock kernels do; tfjs is pinned to 4.22.
 */
import { tf } from '../tf.js';
import { runStock, runStockMulti } from './registry.js';

/** The wasm backend methods the stock kernels use to read and write the heap. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Copies x[begin : begin + size] into a new wasm tensor, row by contiguous row. */
function sliceView(backend: WasmBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const count = size.reduce((a, b) => a * b, 1);
  if (count === 0) return out;
  // Views are taken after makeOutput: allocating may grow (and detach) the heap buffer.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  if (rank === 0) {
    dst[0] = src[0];
    return out;
  }
  const strides = tf.util.computeStrides(x.shape);
  // Innermost run copied at once: trailing axes taken whole merge into it.
  let inner = rank - 1;
  let run = size[rank - 1] ?? 1;
  while (inner > 0 && size[inner] === x.shape[inner]) {
    inner--;
    run *= size[inner];
  }
  const idx = new Array(inner).fill(0);
  const rows = count / run;
  for (let r = 0, o = 0; r < rows; r++, o += run) {
    let off = 0;
    for (let d = 0; d < inner; d++) off += (begin[d] + idx[d]) * strides[d];
    off += begin[inner] * (strides[inner] ?? 1);
    dst.set(src.subarray(off, off + run), o);
    for (let d = inner - 1; d >= 0; d--) {
      if (++idx[d] < size[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

const asBackend = (b: unknown) => b as WasmBackend;

/** Slice kernel for wasm. */
export const slice = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo => {
  const { x } = args.inputs;
  const { begin, size } = args.attrs as { begin: number | number[]; size?: number | number[] };
  if (x.dtype === 'string') return runStock('Slice', { x }, args.attrs ?? {});
  const [b, s] = tf.slice_util.parseSliceParams(x, begin, size);
  return sliceView(asBackend(args.backend), x, b, s);
};

/** Unpack kernel for wasm. */
export const unpack = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo[] => {
  const { value } = args.inputs;
  if (value.dtype === 'string') return runStockMulti('Unpack', { value }, args.attrs ?? {});
  const axis = ((args.attrs as { axis: number }).axis + value.rank) % value.rank;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const size = value.shape.map((d, i) => (i === axis ? 1 : d));
  const outs: tf.TensorInfo[] = [];
  for (let i = 0; i < value.shape[axis]; i++) {
    const begin = value.shape.map((_, k) => (k === axis ? i : 0));
    const o = sliceView(asBackend(args.backend), value, begin, size);
    outs.push({ ...o, shape: outShape });
  }
  return outs;
};

/** SplitV kernel for wasm. */
export const splitV = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo[] => {
  const { x } = args.inputs;
  if (x.dtype === 'string') return runStockMulti('SplitV', { x }, args.attrs ?? {});
  const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
  const ax = tf.util.parseAxisParam(axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x, numOrSizeSplits, ax);
  const begin = new Array(x.rank).fill(0);
  return sizes.map((s) => {
    const size = x.shape.map((d, i) => (i === ax ? s : d));
    const o = sliceView(asBackend(args.backend), x, [...begin], size);
    begin[ax] += s;
    return o;
  });
};
