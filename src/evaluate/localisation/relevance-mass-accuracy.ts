/** RelevanceMassAccuracy (Arras et al. 2021): relevance inside the mask divided by all relevance. */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';

/** RelevanceMassAccuracy: sum of relevance in the mask / total relevance (NaN when the total is 0). */
export const RelevanceMassAccuracy: MetricDef = {
  name: 'RelevanceMassAccuracy',
  category: 'localisation',
  needs: ['mask'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: (ctx) =>
    ctx.perSample((i) => {
      const a = ctx.relevanceOf(i), m = ctx.maskOf(i);
      let inside = 0, total = 0;
      for (let p = 0; p < a.length; p++) (total += a[p]), (inside += m[p] ? a[p] : 0);
      return total !== 0 ? inside / total : NaN;
    }),
};

/** RelevanceMassAccuracy per sample (needs `mask`). */
export function relevanceMassAccuracy(model: ModelLike | null, x: TensorInput, y: Labels, attribution: AttributionInput, o: MetricOptions): Promise<Float32Array> {
  return runMetric(RelevanceMassAccuracy, model, x, y, attribution, o);
}
