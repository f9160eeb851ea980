/**
 * FaithfulnessCorrelation (Bhatt et al. 2020): random subsets of positions are replaced; the
 * score is the Pearson correlation, over `nrRuns` subsets, between the relevance summed over a
 * subset and the score drop it causes (higher = more faithful).
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import { randomSubsetScores } from '../perturb.js';
import { pearson } from '../stats.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import type { FaithfulnessOptions } from './common.js';

/** FaithfulnessCorrelation options. */
export interface FaithfulnessCorrelationOptions extends FaithfulnessOptions {
  /** Random subsets per sample. Default 100. */
  nrRuns?: number;
  /** Positions per subset. Default min(224, positions / 4). */
  subsetSize?: number;
}

/** FaithfulnessCorrelation per sample. */
export const FaithfulnessCorrelation: MetricDef<FaithfulnessCorrelationOptions> = {
  name: 'FaithfulnessCorrelation',
  category: 'faithfulness',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: async (ctx, o) => {
    const size = o.subsetSize ?? Math.max(1, Math.min(224, Math.floor(ctx.positions / 4)));
    const { scores, relevance } = await randomSubsetScores(ctx, o.nrRuns ?? 100, size, o);
    return Float32Array.from(scores, (s, i) => pearson(relevance[i], s.map((v) => ctx.baseScores[i] - v)));
  },
};

/** FaithfulnessCorrelation per sample. */
export function faithfulnessCorrelation(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: FaithfulnessCorrelationOptions = {}): Promise<Float32Array> {
  return runMetric(FaithfulnessCorrelation, model, x, y, attribution, o);
}
