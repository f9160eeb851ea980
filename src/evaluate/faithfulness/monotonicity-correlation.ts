/**
 * MonotonicityCorrelation (Nguyen & Martinez 2020): features are replaced one group at a time
 * (least relevant first), `nrSamples` times each with fresh uniform noise by default; the score
 * is the Spearman correlation between a group's relevance and the mean squared score change
 * (higher = more faithful).
 */
import { tf } from '../../backend/tf.js';
import type { ModelLike } from '../../explain/types.js';
import { Rng } from '../../util/random.js';
import { runMetric } from '../base.js';
import { orderedScores } from '../perturb.js';
import type { ReplacementSpec } from '../replace.js';
import { spearman } from '../stats.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import { groupedRelevance, steppedFeatures, type SteppedOptions } from './common.js';

/** MonotonicityCorrelation options. */
export interface MonotonicityCorrelationOptions extends SteppedOptions {
  /** Noisy replacements per group. Default 10 (1 when `baseline` is given: it is deterministic). */
  nrSamples?: number;
}

/** Fresh uniform noise over the input's range on every call (seeded stream). */
function freshUniform(lo: number, hi: number, seed: number): ReplacementSpec {
  const rng = new Rng(seed);
  return (rows: tf.Tensor) => tf.tensor(Float32Array.from({ length: rows.size }, () => rng.uniform(lo, hi)), rows.shape);
}

/** MonotonicityCorrelation per sample. */
export const MonotonicityCorrelation: MetricDef<MonotonicityCorrelationOptions> = {
  name: 'MonotonicityCorrelation',
  category: 'faithfulness',
  needs: ['model'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: async (ctx, o) => {
    const { f, steps } = steppedFeatures(ctx, o, 32);
    const groups = steps.length - 1;
    const reps = o.nrSamples ?? (o.baseline === undefined ? 10 : 1);
    const lo = ctx.xData.reduce((a, b) => Math.min(a, b), Infinity), hi = ctx.xData.reduce((a, b) => Math.max(a, b), -Infinity);
    const baseline = o.baseline ?? freshUniform(lo, hi, o.seed ?? 0);
    const { ranks, groups: relevance } = groupedRelevance(ctx, f, steps, false);
    const select = (k: number, rank: number) => rank >= steps[k % groups] && rank < steps[(k % groups) + 1];
    const scores = await orderedScores(ctx, f, ranks, groups * reps, select, { ...o, baseline });
    return Float32Array.from(scores, (s, i) => {
      const change = new Float64Array(groups);
      s.forEach((v, k) => (change[k % groups] += (ctx.baseScores[i] - v) ** 2 / reps));
      return spearman(relevance(i), change);
    });
  },
};

/** MonotonicityCorrelation per sample. */
export function monotonicityCorrelation(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: MonotonicityCorrelationOptions = {}): Promise<Float32Array> {
  return runMetric(MonotonicityCorrelation, model, x, y, attribution, o);
}
