/**
 * The batched gradient loop shared by the gradient methods: rows (interpolation steps, noisy
 * copies) are built chunk by chunk, differentiated in one pass per chunk, and accumulated per
 * sample in plain arrays, so memory is bounded by `internalBatchSize` rows.
 */
import { tf, tidyData } from '../backend/tf.js';
import type { ExplainContext } from './base.js';

/** One chunk of rows: the rows, the sample each belongs to, and its weight in the sum. */
export interface RowChunk {
  rows: tf.Tensor;
  samples: Int32Array;
  weights: Float32Array;
  /** Multiplies each row's gradient elementwise before summing (e.g. x - baseline), shape of `rows`. */
  times?: tf.Tensor;
}

/** Per-sample weighted sums of row gradients (and of their squares when asked). */
export interface GradientSums {
  sum: Float32Array;
  sumSquares?: Float32Array;
}

/**
 * Sums `weight * gradient` of `total` rows into their samples. `make(start, end)` builds rows
 * [start, end) inside a tidy scope; `forward` optionally replaces the model's forward pass.
 */
export async function sumRowGradients(
  ctx: ExplainContext,
  total: number,
  make: (start: number, end: number) => RowChunk,
  squares = false,
  forward?: (x: tf.Tensor) => tf.Tensor,
): Promise<GradientSums> {
  const size = ctx.sampleSize;
  const sum = new Float32Array(ctx.n * size);
  const sumSquares = squares ? new Float32Array(ctx.n * size) : undefined;
  await ctx.chunks(total, (start, end) => {
    const { grads, samples, weights } = tidyData(() => {
      const c = make(start, end);
      const g = ctx.gradients(c.rows, c.samples, forward);
      return { grads: (c.times ? tf.mul(g, c.times) : g).dataSync() as Float32Array, samples: c.samples, weights: c.weights };
    });
    for (let r = 0; r < samples.length; r++) {
      const off = samples[r] * size, w = weights[r];
      for (let j = 0; j < size; j++) {
        const g = grads[r * size + j];
        sum[off + j] += w * g;
        if (sumSquares) sumSquares[off + j] += w * g * g;
      }
    }
  });
  return { sum, sumSquares };
}

/**
 * Rows of `source` ([N, ...]) picked by sample index (inside tidy). Built from contiguous
 * slices and one axis-0 concatenation, which are plain copies on every backend (the cpu
 * backend's GatherV2 walks every element through index arithmetic: ~0.5 us per float).
 */
export function pickRows(source: tf.Tensor, samples: ArrayLike<number>): tf.Tensor {
  const parts: tf.Tensor[] = [];
  for (let r = 0; r < samples.length;) {
    let e = r + 1;
    while (e < samples.length && samples[e] === samples[e - 1] + 1) e++;
    parts.push(samples[r] === 0 && e - r === source.shape[0] ? source : tf.slice(source, samples[r], e - r));
    r = e;
  }
  if (parts.length === 1) return parts[0] === source ? tf.clone(source) : parts[0];
  return tf.concat(parts, 0);
}

/** Points `from + alpha * (to - from)` on the straight path, one alpha per row (inside tidy). */
export function pathRows(from: tf.Tensor, to: tf.Tensor, alphas: ArrayLike<number>): tf.Tensor {
  return tf.add(from, tf.mul(perRow(alphas, from.shape.length - 1), tf.sub(to, from)));
}

/** A [rows, 1, ..., 1] tensor broadcasting one value per row over a sample (inside tidy). */
export function perRow(values: ArrayLike<number>, sampleRank: number): tf.Tensor {
  return tf.tensor(Float32Array.from(values), [values.length, ...new Array(sampleRank).fill(1)]);
}
