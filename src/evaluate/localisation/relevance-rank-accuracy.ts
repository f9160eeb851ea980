/**
 * RelevanceRankAccuracy (Arras et al. 2021): with K the mask size, the fraction of the K most
 * relevant positions that lie inside the mask (NaN for an empty mask).
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';
import { rankDescending } from '../stats.js';

/** RelevanceRankAccuracy: |top-K ∩ mask| / K with K = |mask|. */
export const RelevanceRankAccuracy: MetricDef = {
  name: 'RelevanceRankAccuracy',
  category: 'localisation',
  needs: ['mask'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: (ctx) =>
    ctx.perSample((i) => {
      const m = ctx.maskOf(i);
      const k = m.reduce((s, v) => s + v, 0);
      if (k === 0) return NaN;
      let hits = 0;
      for (const p of rankDescending(ctx.relevanceOf(i)).subarray(0, k)) hits += m[p];
      return hits / k;
    }),
};

/** RelevanceRankAccuracy per sample (needs `mask`). */
export function relevanceRankAccuracy(model: ModelLike | null, x: TensorInput, y: Labels, attribution: AttributionInput, o: MetricOptions): Promise<Float32Array> {
  return runMetric(RelevanceRankAccuracy, model, x, y, attribution, o);
}
