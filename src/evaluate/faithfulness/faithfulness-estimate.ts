/**
 * FaithfulnessEstimate (Alvarez-Melis & Jaakkola 2018): features are replaced one group at a
 * time (`featuresInStep` positions, in relevance order); the score is the Pearson correlation
 * between a group's relevance and the score drop it causes (higher = more faithful).
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import { groupSelector, orderedScores } from '../perturb.js';
import { pearson } from '../stats.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import { groupedRelevance, steppedFeatures, type SteppedOptions } from './common.js';

/** FaithfulnessEstimate options. */
export type FaithfulnessEstimateOptions = SteppedOptions;

/** FaithfulnessEstimate per sample. */
export const FaithfulnessEstimate: MetricDef<FaithfulnessEstimateOptions> = {
  name: 'FaithfulnessEstimate',
  category: 'faithfulness',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: async (ctx, o) => {
    const { f, steps } = steppedFeatures(ctx, o, 32);
    const { ranks, groups } = groupedRelevance(ctx, f, steps);
    const scores = await orderedScores(ctx, f, ranks, steps.length - 1, groupSelector(steps), o);
    return Float32Array.from(scores, (s, i) => pearson(groups(i), s.map((v) => ctx.baseScores[i] - v)));
  },
};

/** FaithfulnessEstimate per sample. */
export function faithfulnessEstimate(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: FaithfulnessEstimateOptions = {}): Promise<Float32Array> {
  return runMetric(FaithfulnessEstimate, model, x, y, attribution, o);
}
