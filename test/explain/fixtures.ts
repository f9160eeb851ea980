/** Small hand-built models with attributions computable by hand, shared by the explain tests. */
import { tf, tfl } from '../../src/backend/tf.js';

/**
 * Uses the cpu backend: exact float32 reference arithmetic, and independent of the wasm and
 * native kernels being built. MEDLENS_EXPLAIN_TEST_BACKEND=wasm|native runs the same tests there.
 */
export async function useCpu(): Promise<void> {
  const other = process.env.MEDLENS_EXPLAIN_TEST_BACKEND;
  if (other) {
    const { initNodeBackend } = await import('../../src/backend/node.js');
    await initNodeBackend(other);
    return;
  }
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Dense linear model [N, F] -> [N, K] with weights W [F, K] and bias b [K]. */
export function linearModel(w: number[][], b: number[]): tfl.LayersModel {
  const f = w.length, k = w[0].length;
  const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [f], units: k, name: 'lin' })] });
  m.layers[0].setWeights([tf.tensor2d(w), tf.tensor1d(b)]);
  return m;
}

/** A fixed weight vector w_j = (j % 5) - 2 + 0.25 j / len, for linear checks. */
export function weightsFor(n: number): number[] {
  return Array.from({ length: n }, (_, j) => (j % 5) - 2 + (0.25 * j) / n);
}

/**
 * Linear function of [N, ...sample] tensors with two outputs: score0 = sum(w * x) + 0.5,
 * score1 = -sum(x). Works for any rank; `calls` counts forward passes.
 */
export function linearFunction(sampleShape: number[]): { fn: (x: tf.Tensor) => tf.Tensor; w: number[]; calls: { n: number; rows: number[] } } {
  const size = sampleShape.reduce((a, b) => a * b, 1);
  const w = weightsFor(size);
  const calls = { n: 0, rows: [] as number[] };
  const fn = (x: tf.Tensor) => {
    calls.n++;
    calls.rows.push(x.shape[0]);
    const flat = tf.reshape(x, [x.shape[0], size]);
    const s0 = tf.add(tf.sum(tf.mul(flat, tf.tensor1d(w)), 1), 0.5);
    const s1 = tf.neg(tf.sum(flat, 1));
    return tf.stack([s0, s1], 1);
  };
  return { fn, w, calls };
}

/** Deterministic test input of a shape, values in about [-1, 1]. */
export function testInput(shape: number[], seed = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, (_, i) => Math.sin(seed * 1.7 + i * 0.37) * (1 + (i % 3) * 0.2)), shape);
}

/** Seeded Glorot-uniform initializer, so hand-built test nets are the same on every run. */
export function seeded(seed: number) {
  return tfl.initializers.glorotUniform({ seed });
}
