/**
 * SensitivityN (Ancona et al. 2018): for subsets of n positions (several n), the Pearson
 * correlation between the relevance summed over random subsets and the score drop when they are
 * replaced; a sample's score is the mean over the n values (higher = more faithful). Quantus
 * correlates across samples per n; correlating across subsets gives a score per sample.
 */
import { InvalidInputError } from '../../errors.js';
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import { randomSubsetScores } from '../perturb.js';
import { finiteMean, pearson } from '../stats.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import type { FaithfulnessOptions } from './common.js';

/** SensitivityN options. */
export interface SensitivityNOptions extends FaithfulnessOptions {
  /** Subset sizes n. Default 10%, 20%, ..., 50% of the positions. */
  subsetSizes?: number[];
  /** Subsets per size. Default 20. */
  nrRuns?: number;
}

/** SensitivityN per sample (mean correlation over subset sizes). */
export const SensitivityN: MetricDef<SensitivityNOptions> = {
  name: 'SensitivityN',
  category: 'faithfulness',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: async (ctx, o) => {
    const sizes = o.subsetSizes ?? [0.1, 0.2, 0.3, 0.4, 0.5].map((f) => Math.max(1, Math.round(f * ctx.positions)));
    if (!Array.isArray(sizes) || sizes.length === 0) throw new InvalidInputError('subsetSizes', 'need one or more sizes');
    const perSize: number[][] = [];
    for (const n of sizes) {
      const { scores, relevance } = await randomSubsetScores(ctx, o.nrRuns ?? 20, n, o);
      perSize.push(scores.map((s, i) => pearson(relevance[i], s.map((v) => ctx.baseScores[i] - v))));
    }
    return Float32Array.from({ length: ctx.n }, (_, i) => finiteMean(perSize.map((c) => c[i])));
  },
};

/** SensitivityN per sample. */
export function sensitivityN(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: SensitivityNOptions = {}): Promise<Float32Array> {
  return runMetric(SensitivityN, model, x, y, attribution, o);
}
