/**
 * Faster wasm replacements for present-but-slow kernels:
 * - BatchMatMul: with transposeA/transposeB the stock kernel takes a slow loop (transposing first
 *   and using the fast XNNPACK path is ~10x faster), and a right operand shared by the whole batch is
 *   folded into one 2D product.
 * - Tile: the stock kernel is a naive per-element loop; one broadcast multiply per tiled axis
 *   is much faster (and exact: x * 1 keeps NaN, Inf and -0).
 */
import { tf } from '../tf.js';
import { runStock } from './registry.js';
import { mergeTileAxes, product } from './tile-util.js';

/** A divisor of n in [8, 256], the largest found, or 0 if there is none. */
function splitFactor(n: number): number {
  for (let b = Math.min(256, Math.floor(n / 2)); b >= 8; b--) if (n % b === 0) return b;
  return 0;
}

/**
 * Swaps the last two axes. A plain 2D transpose is ~4x slower on wasm than the same move as a
 * 3D one ([a, b, C] -> [C, a, b] for R = a * b rows), so matrices are transposed that way.
 */
function swapLast(t: tf.Tensor): tf.Tensor {
  const r = t.rank;
  const [rows, cols] = t.shape.slice(-2);
  const batch = product(t.shape.slice(0, -2));
  const b = batch === 1 ? splitFactor(rows) : 0;
  if (b > 0) {
    const moved = tf.transpose(tf.reshape(t, [rows / b, b, cols]), [2, 0, 1]);
    return tf.reshape(moved, [...t.shape.slice(0, -2), cols, rows]);
  }
  const perm = t.shape.map((_, i) => i);
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(t, perm);
}

/**
 * BatchMatMul for wasm: transposes operands explicitly (the stock transposed path is a slow
 * loop) and folds a shared right operand into one 2D product. (One 2D product per batch entry
 * looked 6x faster in a micro-benchmark only because XNNPACK caches the packed right operand
 * per tensor; with fresh operands, as in training, it was 3x slower, so batches stay batched.)
 */
export const batchMatMul = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap }): tf.Tensor => {
  const { transposeA, transposeB } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
  const plain = { transposeA: false, transposeB: false };
  const { a: a0, b: b0 } = args.inputs;
  const batchA = product(a0.shape.slice(0, -2));
  const batchB = product(b0.shape.slice(0, -2));
  const batch = Math.max(batchA, batchB);
  // Truly batched products are equally slow with or without transposes: leave them be.
  if (batch > 1 && !(batchB === 1 && !transposeA)) return runStock('BatchMatMul', { a: a0, b: b0 }, { transposeA: !!transposeA, transposeB: !!transposeB });
  return tf.tidy(() => {
    const a = transposeA ? swapLast(a0) : a0;
    const b = transposeB ? swapLast(b0) : b0;
    const [m, k] = a.shape.slice(-2);
    const n = b.shape[b.rank - 1];
    const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
    // A right operand shared by the batch folds into one [batch*m, k] x [k, n] product.
    const out = runStock('BatchMatMul', { a: tf.reshape(a, [1, batch * m, k]), b: tf.reshape(b, [1, k, n]) }, plain);
    return tf.reshape(out, outShape);
  });
};

/** Tile for wasm: one rank-4 broadcast multiply per (merged) tiled axis. */
export const tile = (args: { inputs: tf.NamedTensorMap; attrs?: tf.NamedAttrMap }): tf.Tensor => {
  const { x } = args.inputs;
  const reps = (args.attrs as { reps: number[] }).reps;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return runStock('Tile', { x }, { reps });
  const outShape = x.shape.map((s, i) => s * reps[i]);
  const axes = mergeTileAxes(x.shape, reps);
  return tf.tidy(() => {
    let t: tf.Tensor = x;
    let sizes = axes.map((a) => a.size);
    for (let i = 0; i < axes.length; i++) {
      const r = axes[i].reps;
      if (r === 1) continue;
      // sizes[] holds the current (partly tiled) axis sizes; view as [before, 1, s, after].
      const before = product(sizes.slice(0, i));
      const after = product(sizes.slice(i + 1));
      const view = tf.reshape(t, [before, 1, sizes[i], after]);
      t = tf.mul(view, tf.ones([1, r, 1, 1], x.dtype));
      sizes = sizes.map((s, j) => (j === i ? s * r : s));
    }
    return t === x ? tf.clone(x) : tf.reshape(t, outShape);
  });
};
