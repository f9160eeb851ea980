/**
 * Feature ablation (Captum): each feature (a group of elements given by a feature mask, e.g.
 * superpixels or ECG waves) is replaced in turn; its attribution is the score drop.
 */
import type { Attribution } from './attribution.js';
import { Explainer, type ExplainContext } from './base.js';
import { masksFromFeatures, resolveFeatureMask, runPerturbations, spreadFeatures, type PerturbationOptions } from './perturbation.js';
import type { CommonOptions } from './types.js';

/** Options of methods that act on features (groups of elements). */
export interface FeatureOptions extends CommonOptions, PerturbationOptions {
  /** Feature id per element of one sample, or per spatial position; default every element. See `gridSegments`. */
  featureMask?: ArrayLike<number>;
}

/** Feature ablation: one perturbation per feature, batched. */
export class FeatureAblation extends Explainer<FeatureOptions> {
  readonly name = 'FeatureAblation';
  protected async run(ctx: ExplainContext, o: FeatureOptions): Promise<Attribution> {
    const { ids, count } = resolveFeatureMask(ctx.sampleShape, o.featureMask);
    const drop = new Float64Array(ctx.n * count);
    await runPerturbations(ctx, {
      count,
      masks: (samples, index) => masksFromFeatures(ctx.sampleShape, ids, (r, f) => f !== index[r], samples.length),
      consume: (samples, index, scores) => index.forEach((f, r) => (drop[samples[r] * count + f] = ctx.baseScores[samples[r]] - scores[r])),
    }, o);
    return ctx.attribution(spreadFeatures(drop, ctx.n, count, ids));
  }
}
