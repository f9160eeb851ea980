/** Hand-built models and inputs with known answers for the metric tests. */
import { tf } from '../../src/backend/tf.js';

/**
 * Linear function of [N, ...sample] with two outputs: score0 = sum(w * x) + bias,
 * score1 = -score0. `calls` counts forward passes and the rows of each.
 */
export function linearModel(w: Float32Array, bias = 0): { fn: (x: tf.Tensor) => tf.Tensor; calls: { n: number; rows: number[] } } {
  const calls = { n: 0, rows: [] as number[] };
  const fn = (x: tf.Tensor) =>
    tf.tidy(() => {
      calls.n++;
      calls.rows.push(x.shape[0]);
      const s = tf.add(tf.sum(tf.mul(tf.reshape(x, [x.shape[0], w.length]), tf.tensor1d(w)), 1), bias);
      return tf.stack([s, tf.neg(s)], 1);
    });
  return { fn, calls };
}

/** Deterministic positive values in [0.5, 1.5) (a seeded LCG). */
export function positives(size: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return 0.5 + s / 4294967296;
  });
}

/** Elementwise product of per-sample weights and inputs: the exact attribution of a linear model. */
export function linearAttribution(x: Float32Array, w: Float32Array): Float32Array {
  return x.map((v, i) => v * w[i % w.length]);
}

/** Negated values: the most relevant becomes the least (a reversed ranking). */
export function reversed(a: Float32Array): Float32Array {
  return a.map((v) => -v);
}

/** Product of a shape's sizes. */
export const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
