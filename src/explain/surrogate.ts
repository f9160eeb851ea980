/**
 * LIME and KernelSHAP share this: sample binary coalitions of features, score the perturbed
 * inputs through the engine (batched), fit a weighted linear surrogate per sample; the
 * coefficients are the feature attributions.
 */
import { InvalidInputError } from '../errors.js';
import { Rng } from '../util/random.js';
import type { ExplainContext } from './base.js';
import type { FeatureOptions } from './feature-ablation.js';
import { masksFromFeatures, resolveFeatureMask, runPerturbations, spreadFeatures } from './perturbation.js';
import { weightedLeastSquares } from './linear-solve.js';

/** Options of the surrogate methods. */
export interface SurrogateOptions extends FeatureOptions {
  /** Coalitions sampled per sample. Default 200. */
  samples?: number;
  /** Ridge penalty on the coefficients. Default 0 (a tiny one is added only if the fit is singular). */
  ridge?: number;
  seed?: number;
}

/** A sampled coalition: feature on/off states and its weight in the fit. */
export interface Coalitions {
  /** rows x features, 1 = kept. */
  z: Uint8Array;
  weights: Float64Array;
}

/** Fits the surrogate for every sample; returns per-element attributions [N * size]. */
export async function fitSurrogate(ctx: ExplainContext, o: SurrogateOptions, sample: (count: number, rows: number, rng: Rng) => Coalitions): Promise<Float32Array> {
  const { ids, count } = resolveFeatureMask(ctx.sampleShape, o.featureMask);
  const rows = o.samples ?? 200;
  if (!Number.isInteger(rows) || rows < 2) throw new InvalidInputError('samples', `must be an integer >= 2, got ${rows}`);
  const { z, weights } = sample(count, rows, new Rng(o.seed ?? 0));
  const n = weights.length;
  const scores = new Float64Array(ctx.n * n);
  await runPerturbations(ctx, {
    count: n,
    masks: (samples, index) => masksFromFeatures(ctx.sampleShape, ids, (r, f) => z[index[r] * count + f] === 1, samples.length),
    consume: (samples, index, s) => index.forEach((k, r) => (scores[samples[r] * n + k] = s[r])),
  }, o);
  const zf = Float64Array.from(z);
  const coef = new Float64Array(ctx.n * count);
  for (let i = 0; i < ctx.n; i++) {
    const c = weightedLeastSquares(zf, scores.subarray(i * n, (i + 1) * n), weights, count, o.ridge ?? 0);
    coef.set(c.subarray(1), i * count);
  }
  return spreadFeatures(coef, ctx.n, count, ids);
}
