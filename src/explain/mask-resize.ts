/**
 * Differentiable linear resize of [N, ...grid, C] tensors by one interpolation matrix per axis
 * (half-pixel centres, the same weights as `upsample` in spatial.ts). Written because the
 * tfjs 4.22 cpu gradient of ResizeBilinear swaps height and width for non-square inputs, which
 * breaks the deletion mask's gradient; matMul gradients are exact on every backend.
 */
import { tf } from '../backend/tf.js';

/** [out, in] matrix of linear interpolation weights with half-pixel centres (rows sum to 1). */
export function linearResizeMatrix(inSize: number, outSize: number): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const scale = inSize / outSize;
  for (let d = 0; d < outSize; d++) {
    const src = Math.max(0, (d + 0.5) * scale - 0.5);
    const lo = Math.min(Math.floor(src), inSize - 1);
    const hi = Math.min(lo + 1, inSize - 1);
    const f = src - lo;
    m[d * inSize + lo] += 1 - f;
    m[d * inSize + hi] += f;
  }
  return m;
}

/** Resizes the spatial axes of [N, ...grid, C] to `size` (differentiable; call inside tidy or grad). */
export function linearResize(x: tf.Tensor, size: number[]): tf.Tensor {
  const rank = x.shape.length - 2;
  if (size.length !== rank) throw new Error(`linearResize: ${size.length} sizes for ${rank} spatial axes`);
  let t = x;
  for (let a = 1; a <= rank; a++) {
    const len = t.shape[a];
    if (len === size[a - 1]) continue;
    // move axis a last, multiply by the [in, out] matrix, move it back
    const perm = [...Array(t.shape.length).keys()].filter((i) => i !== a).concat([a]);
    const moved = tf.transpose(t, perm);
    const flat = tf.reshape(moved, [-1, len]);
    const w = tf.tensor2d(linearResizeMatrix(len, size[a - 1]), [size[a - 1], len]);
    const res = tf.reshape(tf.matMul(flat, w, false, true), [...moved.shape.slice(0, -1), size[a - 1]]);
    t = tf.transpose(res, perm.map((_, i) => perm.indexOf(i)));
  }
  return t === x ? tf.clone(x) : t;
}
