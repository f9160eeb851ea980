/**
 * RegionPerturbation (Samek et al. 2016): grid regions are replaced cumulatively, most relevant
 * (by relevance sum) first, with uniform noise by default; the score is the AOPC, the mean score
 * drop f(x) - f(x_k) over k = 0..regions (higher = more faithful).
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import { cumulativeSteps, defaultCell, gridFeatures, resolveFeatures } from '../features.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import { relevanceCurves, type FaithfulnessOptions } from './common.js';

/** RegionPerturbation options. */
export interface RegionPerturbationOptions extends FaithfulnessOptions {
  /** Regions replaced in all (the curve's length - 1). Default: every region. */
  regionsEvaluation?: number;
}

/** RegionPerturbation: AOPC per sample. */
export const RegionPerturbation: MetricDef<RegionPerturbationOptions> = {
  name: 'RegionPerturbation',
  category: 'faithfulness',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: async (ctx, o) => {
    const f = resolveFeatures(ctx.spatial, o, () => gridFeatures(ctx.spatial, defaultCell(ctx.spatial)));
    const steps = cumulativeSteps(Math.min(f.count, o.regionsEvaluation ?? f.count), 1);
    const curves = await relevanceCurves(ctx, f, steps, 'deletion', { ...o, baseline: o.baseline ?? 'uniform' });
    o.onCurves?.({ fractions: steps.map((s) => s / f.count), curves });
    return Float32Array.from(curves, (c, i) => c.reduce((a, s) => a + ctx.baseScores[i] - s, 0) / c.length);
  },
};

/** RegionPerturbation AOPC per sample. */
export function regionPerturbation(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: RegionPerturbationOptions = {}): Promise<Float32Array> {
  return runMetric(RegionPerturbation, model, x, y, attribution, o);
}
