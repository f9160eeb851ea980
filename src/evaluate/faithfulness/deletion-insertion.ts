/**
 * Deletion and insertion curves (Petsiuk et al. 2018, RISE): the most relevant features are
 * replaced (deletion: from the input towards the baseline) or revealed (insertion: from the
 * baseline towards the input) at `steps` even fractions; the score is the area under the
 * target-score curve over the fraction (deletion: lower is better; insertion: higher).
 */
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import { positionFeatures, resolveFeatures } from '../features.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import { curveAreas, fractionSteps, relevanceCurves, withCurves, type Curves, type FaithfulnessOptions } from './common.js';

/** Deletion / insertion options. */
export interface DeletionInsertionOptions extends FaithfulnessOptions {
  /** Intervals of the fraction axis. Default 20. */
  steps?: number;
}

function curveMetric(name: string, mode: 'deletion' | 'insertion'): MetricDef<DeletionInsertionOptions> {
  return {
    name,
    category: 'faithfulness',
    needs: ['model'],
    ranks: [1, 2, 3],
    higherIsBetter: mode === 'insertion',
    run: async (ctx, o) => {
      const f = resolveFeatures(ctx.spatial, o, () => positionFeatures(ctx.positions));
      const steps = fractionSteps(f.count, o.steps ?? 20);
      const curves = await relevanceCurves(ctx, f, steps, mode, o);
      o.onCurves?.({ fractions: steps.map((s) => s / f.count), curves });
      return curveAreas(curves, steps, f.count);
    },
  };
}

/** Deletion AUC (baseline default 0). */
export const Deletion = curveMetric('Deletion', 'deletion');
/** Insertion AUC (baseline default 0; RISE uses `baseline: 'blurred'`). */
export const Insertion = curveMetric('Insertion', 'insertion');

/** Deletion AUC per sample. */
export function deletion(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: DeletionInsertionOptions = {}): Promise<Float32Array> {
  return runMetric(Deletion, model, x, y, attribution, o);
}

/** Insertion AUC per sample. */
export function insertion(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: DeletionInsertionOptions = {}): Promise<Float32Array> {
  return runMetric(Insertion, model, x, y, attribution, o);
}

/** Deletion or insertion curves with the AUCs as `scores`. */
export function deletionInsertionCurves(mode: 'deletion' | 'insertion', model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: DeletionInsertionOptions = {}): Promise<Curves & { scores: Float32Array }> {
  return withCurves(mode === 'deletion' ? Deletion : Insertion, model, x, y, attribution, o);
}
