/**
 * Shapley value sampling (Castro et al.; Captum's ShapleyValueSampling): random feature
 * permutations; features are added one by one from the baseline and each gets its marginal
 * score change, averaged over permutations.
 */
import { InvalidInputError } from '../errors.js';
import { Rng } from '../util/random.js';
import type { Attribution } from './attribution.js';
import { Explainer, type ExplainContext } from './base.js';
import type { FeatureOptions } from './feature-ablation.js';
import { masksFromFeatures, resolveFeatureMask, runPerturbations, spreadFeatures } from './perturbation.js';

/** Shapley sampling options. */
export interface ShapleyOptions extends FeatureOptions {
  /** Permutations per sample. Default 25. */
  permutations?: number;
  seed?: number;
}

/** Shapley value sampling with all rows of all permutations batched. */
export class ShapleyValueSampling extends Explainer<ShapleyOptions> {
  readonly name = 'ShapleyValueSampling';
  protected async run(ctx: ExplainContext, o: ShapleyOptions): Promise<Attribution> {
    const { ids, count } = resolveFeatureMask(ctx.sampleShape, o.featureMask);
    const p = o.permutations ?? 25;
    if (!Number.isInteger(p) || p < 1) throw new InvalidInputError('permutations', `must be a positive integer, got ${p}`);
    const rng = new Rng(o.seed ?? 0);
    // Same permutations for every sample; position of each feature in each permutation.
    const perms = Array.from({ length: p }, () => rng.shuffle([...Array(count).keys()]));
    const rank = perms.map((perm) => {
      const r = new Int32Array(count);
      perm.forEach((f, t) => (r[f] = t));
      return r;
    });
    const steps = count + 1;
    const scores = new Float64Array(ctx.n * p * steps);
    await runPerturbations(ctx, {
      count: p * steps,
      // Row t of permutation q keeps the first t features of the permutation.
      masks: (samples, index) => masksFromFeatures(ctx.sampleShape, ids, (r, f) => rank[Math.floor(index[r] / steps)][f] < index[r] % steps, samples.length),
      consume: (samples, index, s) => index.forEach((k, r) => (scores[samples[r] * p * steps + k] = s[r])),
    }, o);
    const phi = new Float64Array(ctx.n * count);
    for (let i = 0; i < ctx.n; i++) {
      for (let q = 0; q < p; q++) {
        const base = (i * p + q) * steps;
        perms[q].forEach((f, t) => (phi[i * count + f] += (scores[base + t + 1] - scores[base + t]) / p));
      }
    }
    return ctx.attribution(spreadFeatures(phi, ctx.n, count, ids));
  }
}
