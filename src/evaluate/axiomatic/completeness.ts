/**
 * Completeness (Sundararajan et al. 2017): |sum(a) - (f(x) - f(baseline))| per sample, the
 * absolute completeness error (0 = complete, e.g. exact integrated gradients).
 */
import { makeBaseline, type BaselineSpec } from '../../explain/baselines.js';
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';

/** Completeness options. */
export interface CompletenessOptions extends MetricOptions {
  /** Reference input. Default 'zero'. */
  baseline?: BaselineSpec;
}

/** Completeness error per sample. */
export const Completeness: MetricDef<CompletenessOptions> = {
  name: 'Completeness',
  category: 'axiomatic',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: false,
  run: async (ctx, o) => {
    const b = makeBaseline(ctx.input, o.baseline ?? 'zero', { seed: o.seed });
    let fb: Float32Array;
    try {
      fb = ctx.scoreRows(b, ctx.allSamples());
    } finally {
      b.dispose();
    }
    return ctx.perSample((i) => Math.abs(ctx.relevanceOf(i).reduce((a, v) => a + v, 0) - (ctx.baseScores[i] - fb[i])));
  },
};

/** Completeness error per sample. */
export function completeness(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: CompletenessOptions = {}): Promise<Float32Array> {
  return runMetric(Completeness, model, x, y, attribution, o);
}
