/**
 * Replacements for two tfjs-core gradients that are slow on every backend. Gradients are global
 * (not per backend), so these must be exact everywhere; they are tested on cpu and wasm.
 * - Tile: stock does one Slice + Add per repetition (thousands of ops through LayerNormalization);
 *   here one reshape + sum per tiled axis.
 * - FusedBatchNorm: stock materialises a full-size Tile of 1/sqrt(var) for dx; here broadcasting,
 *   and every input's gradient is reduced to that input's own shape.
 */
import { tf } from '../tf.js';
import { mergeTileAxes, product } from './tile-util.js';

/** Gradient of Tile: sums dy over the repetitions of each tiled axis. */
export function tileGrad(dy: tf.Tensor, xShape: number[], reps: number[]): tf.Tensor {
  const axes = mergeTileAxes(xShape, reps);
  let t = dy;
  // Current sizes are reps*size for not-yet-reduced axes; reduce from the last axis back.
  const sizes = axes.map((a) => a.size * a.reps);
  for (let i = axes.length - 1; i >= 0; i--) {
    if (axes[i].reps === 1) continue;
    const before = product(sizes.slice(0, i));
    const after = product(sizes.slice(i + 1));
    t = tf.sum(tf.reshape(t, [before, axes[i].reps, axes[i].size, after]), 1);
    sizes[i] = axes[i].size;
  }
  return tf.reshape(t === dy ? tf.clone(dy) : t, xShape);
}

/** Sums `t` over the axes along which `shape` was broadcast to `t.shape`, then reshapes to `shape`. */
function reduceTo(t: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, t.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, shape);
}

/** Gradient config for Tile (replaces tfjs-core's). */
export const tileGradConfig: tf.GradConfig = {
  kernelName: 'Tile',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { reps } = attrs as unknown as { reps: number[] };
    return { x: () => tileGrad(dy as tf.Tensor, x.shape, reps) };
  },
};

/** Gradient config for FusedBatchNorm (replaces tfjs-core's). */
export const fusedBatchNormGradConfig: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dyIn, saved, attrs) => {
    const dy = dyIn as tf.Tensor;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved as (tf.Tensor | undefined | null)[] as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | null | undefined];
    const invStd = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const dyScaled = scale == null ? dy : tf.mul(dy, scale);
    return {
      x: () => reduceTo(tf.mul(dyScaled, invStd), x.shape),
      mean: () => reduceTo(tf.neg(tf.mul(dyScaled, invStd)), mean.shape),
      variance: () => {
        const k = tf.mul(tf.mul(tf.mul(invStd, invStd), invStd), tf.scalar(-0.5));
        return reduceTo(tf.mul(tf.mul(dyScaled, tf.sub(x, mean)), k), variance.shape);
      },
      scale: () => reduceTo(tf.mul(dy, tf.mul(tf.sub(x, mean), invStd)), scale == null ? mean.shape : scale.shape),
      // Offset is not saved; tf.batchNorm requires it to have mean's rank (and layers give equal shapes).
      offset: () => reduceTo(dy, mean.shape),
    };
  },
};
