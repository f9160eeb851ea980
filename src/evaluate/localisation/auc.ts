/** AUC (Fawcett 2006, as in Quantus): ROC AUC of the relevance as a detector of mask positions (0.5 = chance). */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';
import { rocAuc } from '../stats.js';

/** AUC per sample; NaN when the mask is empty or full. */
export const AUC: MetricDef = {
  name: 'AUC',
  category: 'localisation',
  needs: ['mask'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: (ctx) => ctx.perSample((i) => rocAuc(ctx.relevanceOf(i), ctx.maskOf(i))),
};

/** Localisation ROC AUC per sample (needs `mask`). */
export function auc(model: ModelLike | null, x: TensorInput, y: Labels, attribution: AttributionInput, o: MetricOptions): Promise<Float32Array> {
  return runMetric(AUC, model, x, y, attribution, o);
}
