/**
 * IROF, iterative removal of features (Rieger & Hansen 2020): segments (user superpixels or a
 * grid) are replaced by the sample mean, most relevant (by mean relevance) first; the score is
 * the area over the curve of scores relative to the unperturbed score, 1 - AUC(f(x_k) / f(x))
 * over the fraction removed (higher = more faithful). Use `softmax: true` for probabilities,
 * as in the paper; raw outputs near 0 make the ratio unstable.
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import { cumulativeSteps, defaultCell, gridFeatures, resolveFeatures } from '../features.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import { curveAreas, relevanceCurves, type FaithfulnessOptions } from './common.js';

/** IROF: area over the relative score curve per sample. */
export const IROF: MetricDef<FaithfulnessOptions> = {
  name: 'IROF',
  category: 'faithfulness',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: async (ctx, o) => {
    const f = resolveFeatures(ctx.spatial, o, () => gridFeatures(ctx.spatial, defaultCell(ctx.spatial)));
    const steps = cumulativeSteps(f.count, 1);
    const raw = await relevanceCurves(ctx, f, steps, 'deletion', { ...o, baseline: o.baseline ?? 'mean' }, 'mean');
    const curves = raw.map((c, i) => c.map((v) => v / ctx.baseScores[i]));
    o.onCurves?.({ fractions: steps.map((s) => s / f.count), curves });
    return curveAreas(curves, steps, f.count).map((a) => 1 - a);
  },
};

/** IROF per sample. */
export function irof(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: FaithfulnessOptions = {}): Promise<Float32Array> {
  return runMetric(IROF, model, x, y, attribution, o);
}
