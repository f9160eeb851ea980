/**
 * Pieces shared by the randomisation sanity checks (Adebayo et al. 2018; Sixt et al. 2020):
 * explaining every sample under some model and class, and comparing maps with a similarity.
 */
import { tf } from '../../backend/tf.js';
import { InvalidInputError } from '../../errors.js';
import type { ModelLike } from '../../explain/types.js';
import type { EvalContext } from '../base.js';
import { similarities, type SimilarityName } from '../stats.js';
import type { MetricOptions } from '../types.js';

/** Options of the randomisation metrics. */
export interface RandomisationOptions extends MetricOptions {
  /** Similarity of the original and the randomised map. Default 'spearman' (MPRT) / 'ssim' (RandomLogit). */
  similarity?: SimilarityName;
  /** Compare absolute values (as Adebayo et al.). Default true. */
  abs?: boolean;
}

/**
 * Relevance per position of every sample (of `input`, default the metric's input) explained for
 * `targets` under `model`, in chunks of `internalBatchSize` samples ([N * positions]).
 */
export async function explainAll(ctx: EvalContext, targets: Int32Array, model?: ModelLike, input: tf.Tensor = ctx.input): Promise<Float32Array> {
  const out = new Float32Array(ctx.n * ctx.positions);
  await ctx.forChunks(ctx.n, async (s, e) => {
    const rows = tf.slice(input, s, e - s);
    try {
      out.set(await ctx.explainRows(rows, targets.subarray(s, e), model), s * ctx.positions);
    } finally {
      rows.dispose();
    }
  });
  return out;
}

/** A per-sample similarity of two relevance sets [N * positions]. */
export function similarityOf(ctx: EvalContext, o: RandomisationOptions, fallback: SimilarityName): (a: Float32Array, b: Float32Array) => Float32Array {
  const name = o.similarity ?? fallback;
  const fn = similarities[name];
  if (!fn) throw new InvalidInputError('similarity', `unknown '${name}' (known: ${Object.keys(similarities).join(', ')})`);
  const abs = o.abs ?? true;
  return (a, b) =>
    Float32Array.from({ length: ctx.n }, (_, i) => {
      const P = ctx.positions;
      const ai = a.subarray(i * P, (i + 1) * P), bi = b.subarray(i * P, (i + 1) * P);
      return abs ? fn(ai.map(Math.abs), bi.map(Math.abs)) : fn(ai, bi);
    });
}
