/**
 * RelevanceRankAccuracy (Arras et al. 2021): with K the mask size, the fraction of the K most
 * relevant positions that lie inside the mask (NaN for an empty mask).
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';
import { topKHits } from './top-k-intersection.js';

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
      return k === 0 ? NaN : topKHits(ctx.relevanceOf(i), m, k) / k;
    }),
};

/** RelevanceRankAccuracy per sample (needs `mask`). */
export function relevanceRankAccuracy(model: ModelLike | null, x: TensorInput, y: Labels, attribution: AttributionInput, o: MetricOptions): Promise<Float32Array> {
  return runMetric(RelevanceRankAccuracy, model, x, y, attribution, o);
}
