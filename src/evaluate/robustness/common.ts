/**
 * The loop shared by the robustness metrics: `nrSamples` perturbed copies of every sample are
 * explained in chunks (one explain call and, when asked, one forward per chunk of
 * `internalBatchSize` rows across samples), and each copy's input, relevance and output are
 * handed to the metric.
 */
import { tf } from '../../backend/tf.js';
import { InvalidInputError } from '../../errors.js';
import type { EvalContext } from '../base.js';
import type { MetricOptions } from '../types.js';
import { Rng } from '../../util/random.js';

/** Options of the noise-based robustness metrics. */
export interface RobustnessOptions extends MetricOptions {
  /** Perturbed copies per sample. Default 10 (Quantus: 200). */
  nrSamples?: number;
  /** Noise added to the input: uniform in [-radius, radius] or Gaussian of std radius. */
  noise?: 'uniform' | 'gaussian';
  /** Noise size, in input units. Default 0.2 (uniform) / 0.1 (gaussian). */
  radius?: number;
}

/** One explained copy of a sample. */
export interface ExplainedCopy {
  /** Copy's input values [sample size]. */
  x: Float32Array;
  /** Copy's relevance per position. */
  relevance: Float32Array;
  /** Copy's model outputs [K] (when outputs were asked for). */
  output?: Float32Array;
}

/**
 * Explains `count` copies per sample: `make(i, k, out)` writes copy k of sample i into `out`
 * (pre-filled with the sample); `consume(i, k, copy)` receives it. `outputs` also runs the model.
 */
export async function explainCopies(
  ctx: EvalContext,
  count: number,
  make: (i: number, k: number, out: Float32Array) => void,
  consume: (i: number, k: number, copy: ExplainedCopy) => void,
  outputs = false,
): Promise<void> {
  if (!Number.isInteger(count) || count < 1) throw new InvalidInputError('nrSamples', `must be a positive integer, got ${count}`);
  const size = ctx.sampleSize, P = ctx.positions;
  await ctx.forChunks(ctx.n * count, async (s, e) => {
    const rows = e - s;
    const data = new Float32Array(rows * size);
    const targets = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      const i = Math.floor((s + r) / count);
      const out = data.subarray(r * size, (r + 1) * size);
      out.set(ctx.inputOf(i));
      make(i, (s + r) % count, out);
      targets[r] = ctx.classes[i];
    }
    const t = tf.tensor(data, [rows, ...ctx.sampleShape]);
    try {
      const rel = await ctx.explainRows(t, targets);
      const out = outputs ? ctx.outputRows(t) : undefined;
      for (let r = 0; r < rows; r++) {
        const i = Math.floor((s + r) / count);
        consume(i, (s + r) % count, {
          x: data.subarray(r * size, (r + 1) * size),
          relevance: rel.subarray(r * P, (r + 1) * P),
          output: out ? out.values.subarray(r * out.k, (r + 1) * out.k) : undefined,
        });
      }
    } finally {
      t.dispose();
    }
  });
}

/** A noise function adding seeded noise to a copy (stream per sample and copy, so chunking does not matter). */
function noiseAdder(ctx: EvalContext, o: RobustnessOptions, defaultKind: 'uniform' | 'gaussian'): (i: number, k: number, out: Float32Array) => void {
  const kind = o.noise ?? defaultKind;
  const radius = o.radius ?? (kind === 'uniform' ? 0.2 : 0.1);
  if (!(radius > 0) || !Number.isFinite(radius)) throw new InvalidInputError('radius', `must be a positive number, got ${o.radius}`);
  const seed = ctx.rng.int(2 ** 31);
  return (i, k, out) => {
    const rng = new Rng(seed + i * 7919 + k * 104729);
    for (let j = 0; j < out.length; j++) out[j] += kind === 'uniform' ? rng.uniform(-radius, radius) : rng.normal(0, radius);
  };
}

/**
 * Per-sample maximum (or mean) of `ratio(i, copy)` over `nrSamples` (default 10) explained copies
 * of sample i with seeded noise (`defaultNoise` unless `o.noise`); `outputs` also runs the model.
 */
export async function reduceNoisyCopies(
  ctx: EvalContext,
  o: RobustnessOptions,
  defaultNoise: 'uniform' | 'gaussian',
  mode: 'max' | 'mean',
  ratio: (i: number, copy: ExplainedCopy) => number,
  outputs = false,
): Promise<Float32Array> {
  const count = o.nrSamples ?? 10;
  const acc = new Float64Array(ctx.n).fill(mode === 'max' ? -Infinity : 0);
  await explainCopies(ctx, count, noiseAdder(ctx, o, defaultNoise), (i, _k, c) => {
    const v = ratio(i, c);
    acc[i] = mode === 'max' ? Math.max(acc[i], v) : acc[i] + v / count;
  }, outputs);
  return Float32Array.from(acc);
}
