/** Complexity (Bhatt et al. 2020): entropy (nats) of the fractions |a_i| / sum |a|; 0 for one position, log n for uniform. */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';
import { entropy } from '../stats.js';

/** Complexity per sample. */
export const Complexity: MetricDef = {
  name: 'Complexity',
  category: 'complexity',
  needs: [],
  ranks: [1, 2, 3],
  higherIsBetter: false,
  run: (ctx) => ctx.perSample((i) => entropy(ctx.relevanceOf(i))),
};

/** Entropy complexity of each sample's relevance (the model is not used). */
export function complexity(model: ModelLike | null, x: TensorInput, y: Labels, attribution: AttributionInput, o: MetricOptions = {}): Promise<Float32Array> {
  return runMetric(Complexity, model, x, y, attribution, o);
}
