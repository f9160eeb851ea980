/**
 * RandomLogit (Sixt et al. 2020): each sample is re-explained for a random other class (seeded);
 * the score is the similarity to the original attribution (lower = class-sensitive).
 */
import { tf } from '../../backend/tf.js';
import { InvalidInputError } from '../../errors.js';
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import { explainAll, similarityOf, type RandomisationOptions } from './common.js';

/** RandomLogit options. */
export interface RandomLogitOptions extends RandomisationOptions {
  /** Number of classes; default the model output's width. */
  numClasses?: number;
}

/** RandomLogit similarity per sample (needs `explain`). */
export const RandomLogit: MetricDef<RandomLogitOptions> = {
  name: 'RandomLogit',
  category: 'randomisation',
  needs: ['model', 'explain'],
  ranks: [1, 2, 3],
  higherIsBetter: false,
  run: async (ctx, o) => {
    let k = o.numClasses;
    if (k === undefined) {
      const first = tf.slice(ctx.input, 0, 1);
      k = ctx.outputRows(first).k;
      first.dispose();
    }
    if (!Number.isInteger(k) || k < 2) throw new InvalidInputError('numClasses', `RandomLogit needs at least 2 classes, got ${k}`);
    const other = Int32Array.from(ctx.classes, (c) => (c + 1 + ctx.rng.int(k - 1)) % k);
    return similarityOf(ctx, o, 'ssim')(ctx.relevance, await explainAll(ctx, other));
  },
};

/** RandomLogit similarity per sample. */
export function randomLogit(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: RandomLogitOptions): Promise<Float32Array> {
  return runMetric(RandomLogit, model, x, y, attribution, o);
}
