/**
 * The perturbation loop of the faithfulness metrics, on the explainers' engine
 * (`runPerturbations`): `count` masked copies per sample, built chunk by chunk across samples
 * and scored with ONE forward per chunk. Ordered curves (deletion, insertion, single groups)
 * and random subsets are built on it.
 */
import { tf, tidyData } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import { Rng } from '../util/random.js';
import { runPerturbations } from '../explain/perturbation.js';
import type { EvalContext } from './base.js';
import type { FeatureSet } from './features.js';
import { toReplacement, type ReplacementOptions, type ReplacementSpec } from './replace.js';

/** Options of masked perturbations. */
export interface PerturbOptions extends ReplacementOptions {
  /** What replaces perturbed positions. Default 0 (Quantus' "black"). */
  baseline?: ReplacementSpec;
}

/**
 * Scores `count` perturbed copies of every sample. `fill(i, k, mask)` writes copy k of sample
 * i's position mask (1 = replaced, [positions]); `consume(i, k, score)` receives its target score.
 */
export async function runMaskedRows(
  ctx: EvalContext,
  count: number,
  fill: (i: number, k: number, mask: Float32Array) => void,
  consume: (i: number, k: number, score: number) => void,
  o: PerturbOptions,
): Promise<void> {
  if (!Number.isInteger(count) || count < 1) throw new InvalidInputError('steps', `need at least one perturbation per sample, got ${count}`);
  const P = ctx.positions;
  await runPerturbations(ctx, {
    count,
    masks: (samples, index) => {
      const m = new Float32Array(samples.length * P);
      for (let r = 0; r < samples.length; r++) fill(samples[r], index[r], m.subarray(r * P, (r + 1) * P));
      return ctx.expandPositions(m, samples.length);
    },
    consume: (samples, index, scores) => {
      for (let r = 0; r < samples.length; r++) consume(samples[r], index[r], scores[r]);
    },
  }, { baseline: toReplacement(o.baseline ?? 0, { seed: o.seed, roadNoise: o.roadNoise }), seed: o.seed });
}

/** Which features copy k perturbs, given a feature's rank in the sample's order. */
export type RankSelector = (k: number, rank: number) => boolean;

/** Deletion: copy k replaces the first `steps[k]` features of the order. */
export const deletionSelector = (steps: number[]): RankSelector => (k, rank) => rank < steps[k];
/** Insertion: copy k keeps the first `steps[k]` features and replaces the rest. */
export const insertionSelector = (steps: number[]): RankSelector => (k, rank) => rank >= steps[k];
/** Single groups: copy k replaces only features ranked in [steps[k], steps[k + 1]). */
export const groupSelector = (steps: number[]): RankSelector => (k, rank) => rank >= steps[k] && rank < steps[k + 1];

/**
 * Scores along an order of features: copy k of sample i perturbs the features for which
 * `select(k, rank)` holds, where `ranks(i)[feature]` is the feature's rank in sample i's order.
 * `features` may differ per sample (e.g. superpixels). Returns the scores [N][count].
 */
export async function orderedScores(
  ctx: EvalContext,
  features: FeatureSet | ((i: number) => FeatureSet),
  ranks: (i: number) => Int32Array,
  count: number,
  select: RankSelector,
  o: PerturbOptions,
): Promise<Float32Array[]> {
  const curves = Array.from({ length: ctx.n }, () => new Float32Array(count));
  let cached = -1;
  let rank: Int32Array = new Int32Array(0);
  let ids: Int32Array = new Int32Array(0);
  await runMaskedRows(ctx, count, (i, k, mask) => {
    if (cached !== i) {
      rank = ranks(i);
      ids = (typeof features === 'function' ? features(i) : features).ids;
      cached = i;
    }
    for (let p = 0; p < mask.length; p++) mask[p] = select(k, rank[ids[p]]) ? 1 : 0;
  }, (i, k, s) => (curves[i][k] = s), o);
  return curves;
}

/**
 * Random subsets: copy k of sample i replaces `subsetSize` positions drawn without replacement
 * (a seeded stream per sample and copy). Returns the scores [N][count] and each copy's
 * relevance sum over its subset [N][count].
 */
export async function randomSubsetScores(ctx: EvalContext, count: number, subsetSize: number, o: PerturbOptions): Promise<{ scores: Float32Array[]; relevance: Float32Array[] }> {
  const P = ctx.positions;
  if (!Number.isInteger(subsetSize) || subsetSize < 1 || subsetSize > P) throw new InvalidInputError('subsetSize', `must be an integer in [1, ${P}], got ${subsetSize}`);
  const scores = Array.from({ length: ctx.n }, () => new Float32Array(count));
  const relevance = Array.from({ length: ctx.n }, () => new Float32Array(count));
  const seed = ctx.rng.int(2 ** 31);
  const idx = new Int32Array(P);
  await runMaskedRows(ctx, count, (i, k, mask) => {
    const rng = new Rng(seed + i * 7919 + k * 104729);
    for (let p = 0; p < P; p++) idx[p] = p;
    const rel = ctx.relevanceOf(i);
    let sum = 0;
    for (let j = 0; j < subsetSize; j++) {
      const t = j + rng.int(P - j);
      const v = idx[t];
      (idx[t] = idx[j]), (idx[j] = v);
      mask[v] = 1;
      sum += rel[v];
    }
    relevance[i][k] = sum;
  }, (i, k, s) => (scores[i][k] = s), o);
  return { scores, relevance };
}

/**
 * Scores `count` arbitrary copies per sample (e.g. x minus noise), one forward per chunk:
 * `make(i, k, out)` writes copy k of sample i into `out` (pre-filled with the sample);
 * `consume(i, k, score)` receives its target score.
 */
export async function scoreCopies(
  ctx: EvalContext,
  count: number,
  make: (i: number, k: number, out: Float32Array) => void,
  consume: (i: number, k: number, score: number) => void,
): Promise<void> {
  if (!Number.isInteger(count) || count < 1) throw new InvalidInputError('nrSamples', `must be a positive integer, got ${count}`);
  const size = ctx.sampleSize;
  await ctx.forChunks(ctx.n * count, async (s, e) => {
    const data = new Float32Array((e - s) * size);
    const samples = new Int32Array(e - s);
    for (let r = 0; r < e - s; r++) {
      const i = (samples[r] = Math.floor((s + r) / count));
      const out = data.subarray(r * size, (r + 1) * size);
      out.set(ctx.inputOf(i));
      make(i, (s + r) % count, out);
    }
    const scores = tidyData(() => ctx.scores(tf.tensor(data, [e - s, ...ctx.sampleShape]), samples).dataSync() as Float32Array);
    for (let r = 0; r < e - s; r++) consume(samples[r], (s + r) % count, scores[r]);
  });
}
