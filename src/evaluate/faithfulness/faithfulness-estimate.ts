/**
 * FaithfulnessEstimate (Alvarez-Melis & Jaakkola 2018): features are replaced one group at a
 * time (`featuresInStep` positions, in relevance order); the score is the Pearson correlation
 * between a group's relevance and the score drop it causes (higher = more faithful).
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import { cumulativeSteps, featureRanks, featureRelevance, positionFeatures, resolveFeatures } from '../features.js';
import { groupSelector, orderedScores } from '../perturb.js';
import { pearson } from '../stats.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import type { FaithfulnessOptions } from './common.js';

/** FaithfulnessEstimate options. */
export interface FaithfulnessEstimateOptions extends FaithfulnessOptions {
  /** Features per group. Default: about 1/32 of them (Quantus: 1). */
  featuresInStep?: number;
}

/** Relevance of each group [steps[k], steps[k+1]) of a sample's order. */
export function groupRelevance(perFeature: Float64Array, ranks: Int32Array, steps: number[]): Float64Array {
  const out = new Float64Array(steps.length - 1);
  for (let f = 0; f < perFeature.length; f++) {
    for (let k = 0; k + 1 < steps.length; k++) if (ranks[f] >= steps[k] && ranks[f] < steps[k + 1]) out[k] += perFeature[f];
  }
  return out;
}

/** FaithfulnessEstimate per sample. */
export const FaithfulnessEstimate: MetricDef<FaithfulnessEstimateOptions> = {
  name: 'FaithfulnessEstimate',
  category: 'faithfulness',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: async (ctx, o) => {
    const f = resolveFeatures(ctx.spatial, o, () => positionFeatures(ctx.positions));
    const steps = cumulativeSteps(f.count, o.featuresInStep ?? Math.max(1, Math.ceil(f.count / 32)));
    const perFeature = (i: number) => featureRelevance(ctx.relevanceOf(i), f);
    const ranks = (i: number) => featureRanks(perFeature(i));
    const scores = await orderedScores(ctx, f, ranks, steps.length - 1, groupSelector(steps), o);
    return Float32Array.from(scores, (s, i) => pearson(groupRelevance(perFeature(i), ranks(i), steps), s.map((v) => ctx.baseScores[i] - v)));
  },
};

/** FaithfulnessEstimate per sample. */
export function faithfulnessEstimate(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: FaithfulnessEstimateOptions = {}): Promise<Float32Array> {
  return runMetric(FaithfulnessEstimate, model, x, y, attribution, o);
}
