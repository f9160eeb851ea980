/**
 * Selectivity (Montavon et al. 2018): grid patches are removed cumulatively, most relevant
 * first; the score is the area under the target-score curve over the fraction of patches
 * removed (lower = more faithful: the score falls fast).
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import { cumulativeSteps, defaultCell, gridFeatures, resolveFeatures } from '../features.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import { curveAreas, relevanceCurves, type FaithfulnessOptions } from './common.js';

/** Selectivity: AUC of the patch-removal curve per sample. */
export const Selectivity: MetricDef<FaithfulnessOptions> = {
  name: 'Selectivity',
  category: 'faithfulness',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: false,
  run: async (ctx, o) => {
    const f = resolveFeatures(ctx.spatial, o, () => gridFeatures(ctx.spatial, defaultCell(ctx.spatial)));
    const steps = cumulativeSteps(f.count, 1);
    const curves = await relevanceCurves(ctx, f, steps, 'deletion', o);
    o.onCurves?.({ fractions: steps.map((s) => s / f.count), curves });
    return curveAreas(curves, steps, f.count);
  },
};

/** Selectivity AUC per sample. */
export function selectivity(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: FaithfulnessOptions = {}): Promise<Float32Array> {
  return runMetric(Selectivity, model, x, y, attribution, o);
}
