/**
 * Continuity (Montavon et al. 2018): the input is translated step by step along its first
 * spatial axis (edge values repeated); for every grid patch, the Pearson correlation between the
 * patch's relevance and the target score across the steps is computed; the score is the mean
 * over patches with a defined correlation (higher = explanation follows the output continuously).
 */
import { InvalidInputError } from '../../errors.js';
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import { defaultCell, featureRelevance, gridFeatures, resolveFeatures, type FeatureGroupOptions } from '../features.js';
import { finiteMean, pearson } from '../stats.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';
import { explainCopies } from './common.js';

/** Continuity options. */
export interface ContinuityOptions extends MetricOptions, FeatureGroupOptions {
  /** Translation steps (copies). Default 8. */
  nrSteps?: number;
  /** Positions moved per step along the first spatial axis. Default 1. */
  dx?: number;
}

/** Continuity per sample (needs `explain`). */
export const Continuity: MetricDef<ContinuityOptions> = {
  name: 'Continuity',
  category: 'robustness',
  needs: ['model', 'explain'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: async (ctx, o) => {
    const steps = o.nrSteps ?? 8, dx = o.dx ?? 1;
    if (!Number.isInteger(dx) || dx < 1) throw new InvalidInputError('dx', `must be a positive integer, got ${o.dx}`);
    const f = resolveFeatures(ctx.spatial, o, () => gridFeatures(ctx.spatial, defaultCell(ctx.spatial, 4)));
    const len = ctx.spatial[0], inner = ctx.sampleSize / len;
    const patch = Array.from({ length: ctx.n }, () => Array.from({ length: f.count }, () => new Float64Array(steps)));
    const score = Array.from({ length: ctx.n }, () => new Float64Array(steps));
    await explainCopies(ctx, steps, (_i, k, out) => {
      const src = out.slice();
      for (let t = 0; t < len; t++) out.set(src.subarray(Math.max(0, t - k * dx) * inner, (Math.max(0, t - k * dx) + 1) * inner), t * inner);
    }, (i, k, c) => {
      const sums = featureRelevance(c.relevance, f);
      for (let q = 0; q < f.count; q++) patch[i][q][k] = sums[q];
      const out = c.output!;
      score[i][k] = out[ctx.classes[i]];
    }, true);
    return Float32Array.from(patch, (per, i) => finiteMean(per.map((p) => pearson(p, score[i]))));
  },
};

/** Continuity per sample. */
export function continuity(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: ContinuityOptions): Promise<Float32Array> {
  return runMetric(Continuity, model, x, y, attribution, o);
}
