/**
 * Sufficiency (Dasgupta et al. 2022): explanations are binarised (relevance >= `threshold` of
 * the sample's maximum); samples whose binary maps differ in at most `distance` of the
 * positions are neighbours; the score is the fraction of a sample's neighbours that the model
 * assigns the same class (0 without neighbours, as Quantus). Needs a batch of several samples.
 */
import { InvalidInputError } from '../../errors.js';
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';

/** Sufficiency options. */
export interface SufficiencyOptions extends MetricOptions {
  /** Binarisation level, a fraction of each map's maximum. Default 0.6. */
  threshold?: number;
  /** Largest fraction of differing positions for two maps to be neighbours. Default 0.1. */
  distance?: number;
}

/** Sufficiency per sample. */
export const Sufficiency: MetricDef<SufficiencyOptions> = {
  name: 'Sufficiency',
  category: 'faithfulness',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: async (ctx, o) => {
    const t = o.threshold ?? 0.6, d = o.distance ?? 0.1;
    if (!(t >= 0 && t <= 1) || !(d >= 0 && d <= 1)) throw new InvalidInputError('threshold', 'threshold and distance must lie in [0, 1]');
    const { values, k } = ctx.outputRows(ctx.input);
    const predicted = Int32Array.from({ length: ctx.n }, (_, i) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (values[i * k + c] > values[i * k + best]) best = c;
      return best;
    });
    const P = ctx.positions;
    const binary = Array.from({ length: ctx.n }, (_, i) => {
      const a = ctx.relevanceOf(i);
      const max = a.reduce((m, v) => Math.max(m, v), 0);
      return Uint8Array.from(a, (v) => (max > 0 && v >= t * max ? 1 : 0));
    });
    return ctx.perSample((i) => {
      let near = 0, same = 0;
      for (let j = 0; j < ctx.n; j++) {
        if (j === i) continue;
        let diff = 0;
        for (let p = 0; p < P; p++) diff += binary[i][p] ^ binary[j][p];
        if (diff / P <= d) (near++, (same += predicted[j] === predicted[i] ? 1 : 0));
      }
      return near ? same / near : 0;
    });
  },
};

/** Sufficiency per sample. */
export function sufficiency(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: SufficiencyOptions = {}): Promise<Float32Array> {
  return runMetric(Sufficiency, model, x, y, attribution, o);
}
