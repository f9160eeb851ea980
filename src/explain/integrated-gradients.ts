/**
 * Integrated gradients (Sundararajan et al.): (x - baseline) times the path integral of the
 * gradient along the straight line from the baseline, by a quadrature rule; returns the
 * convergence delta sum(attribution) - (f(x) - f(baseline)) per sample.
 */
import type { Attribution } from './attribution.js';
import { Explainer, type ExplainContext } from './base.js';
import { makeBaseline, type BaselineOptions, type BaselineSpec } from './baselines.js';
import { pathRows, pickRows, sumRowGradients } from './gradient-rows.js';
import { quadrature, type IntegrationRule } from './quadrature.js';
import { timesDifference } from './saliency.js';
import type { CommonOptions } from './types.js';

/** Integrated gradients options. */
export interface IntegratedGradientsOptions extends CommonOptions, BaselineOptions {
  baseline?: BaselineSpec;
  /** Quadrature points. Default 50. */
  steps?: number;
  /** Default 'gausslegendre' (Captum's default). */
  rule?: IntegrationRule;
}

/** Integrated gradients with batched steps; `delta` holds the completeness error. */
export class IntegratedGradients extends Explainer<IntegratedGradientsOptions> {
  readonly name = 'IntegratedGradients';
  protected async run(ctx: ExplainContext, o: IntegratedGradientsOptions): Promise<Attribution> {
    const steps = o.steps ?? 50;
    const { alphas, weights } = quadrature(o.rule ?? 'gausslegendre', steps);
    const baseline = makeBaseline(ctx.input, o.baseline ?? 'zero', o);
    try {
      const { sum } = await sumRowGradients(ctx, ctx.n * steps, (s, e) => {
        const samples = new Int32Array(e - s).map((_, r) => Math.floor((s + r) / steps));
        const a = Array.from(samples, (_, r) => alphas[(s + r) % steps]);
        const rows = pathRows(pickRows(baseline, samples), pickRows(ctx.input, samples), a);
        return { rows, samples, weights: Float32Array.from(samples, (_, r) => weights[(s + r) % steps]) };
      });
      const values = timesDifference(sum, ctx.input, baseline);
      const all = new Int32Array(ctx.n).map((_, i) => i);
      const fb = ctx.evaluate(baseline, all);
      const attribution = ctx.attribution(values);
      const sums = attribution.sums();
      const delta = sums.map((v, i) => v - (ctx.baseScores[i] - fb[i]));
      return ctx.attribution(values, { delta });
    } finally {
      baseline.dispose();
    }
  }
}
