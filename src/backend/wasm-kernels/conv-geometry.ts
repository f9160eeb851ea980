/**
 * Shared geometry for composing convolution gradients out of forward convolutions: zero
 * dilation of dy, and padding/cropping a spatial axis to an exact length (negative pads crop).
 */
import { tf } from '../tf.js';

/** Inserts `s - 1` zeros after every element along axis 1 and 2 of an NHWC tensor (trailing zeros kept). */
export function zeroDilate(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  const [n, oh, ow, c] = dy.shape;
  let t: tf.Tensor4D = dy;
  if (sw > 1) {
    // Pad a size-1 axis after each column, then fold it back: all rank-4 ops.
    t = tf.reshape(tf.pad(tf.reshape(t, [n * oh, ow, 1, c]), [[0, 0], [0, 0], [0, sw - 1], [0, 0]]), [n, oh, ow * sw, c]);
  }
  if (sh > 1) {
    const w = t.shape[2];
    t = tf.reshape(tf.pad(tf.reshape(t, [n, oh, 1, w * c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0]]), [n, oh * sh, w, c]);
  }
  return t;
}

/**
 * Pads (positive) or crops (negative) axes 1 and 2 of an NHWC tensor by the given amounts and
 * returns the tensor plus the non-negative padding left for the convolution to apply itself.
 */
export function cropNegative(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): { x: tf.Tensor4D; pad: [[number, number], [number, number], [number, number], [number, number]] } {
  const [, h, w] = x.shape;
  const cropTop = Math.max(0, -top);
  const cropBottom = Math.max(0, -bottom);
  const cropLeft = Math.max(0, -left);
  const cropRight = Math.max(0, -right);
  let y = x;
  if (cropTop || cropBottom || cropLeft || cropRight) {
    y = tf.slice(x, [0, cropTop, cropLeft, 0], [-1, h - cropTop - cropBottom, w - cropLeft - cropRight, -1]);
  }
  return { x: y, pad: [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]] };
}

/** Normalises a stride/dilation attribute to [h, w]. */
export function pair(v: number | [number, number] | undefined): [number, number] {
  if (v === undefined) return [1, 1];
  return typeof v === 'number' ? [v, v] : v;
}

/**
 * Reverses the first two (spatial) axes of a filter [fh, fw, ...rest]. The stock wasm Reverse
 * (and Gather) copy element by element (~90 ms for a 3x3x512x512 filter); a product with a
 * permutation matrix runs on the fast matmul (~3 ms) and is exact for finite weights.
 */
export function flipSpatial(filter: tf.Tensor4D): tf.Tensor4D {
  const [fh, fw, a, b] = filter.shape;
  const taps = fh * fw;
  if (taps === 1) return filter;
  const perm = new Float32Array(taps * taps);
  for (let i = 0; i < taps; i++) perm[i * taps + (taps - 1 - i)] = 1;
  const flat = tf.matMul(tf.tensor2d(perm, [taps, taps]), tf.reshape(filter, [taps, a * b]));
  return tf.reshape(flat, [fh, fw, a, b]);
}
