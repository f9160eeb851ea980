/** Sparseness (Chalasani et al. 2020): Gini index of |relevance|; 0 for uniform, (n-1)/n for one position. */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';
import { gini } from '../stats.js';

/** Sparseness per sample. */
export const Sparseness: MetricDef = {
  name: 'Sparseness',
  category: 'complexity',
  needs: [],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: (ctx) => ctx.perSample((i) => gini(ctx.relevanceOf(i))),
};

/** Gini sparseness of each sample's relevance (the model is not used). */
export function sparseness(model: ModelLike | null, x: TensorInput, y: Labels, attribution: AttributionInput, o: MetricOptions = {}): Promise<Float32Array> {
  return runMetric(Sparseness, model, x, y, attribution, o);
}
