/**
 * Metrics of the ECG-LSTM study, per explanation method, on top of evaluate/: deletion curves
 * (AUC and score drop at a fixed deleted fraction, one replacement for every method),
 * localisation against a ground-truth mask, relevance fractions per ECG wave, and the model
 * parameter randomisation sanity check. Localisation and wave fractions use |attribution|
 * (signed methods such as IG put evidence in both signs; plausibility asks where, not which sign).
 */
import { InvalidInputError } from '../errors.js';
import type { ModelLike } from '../explain/types.js';
import { aggregateEcgRelevance } from '../explain/ecg-aggregate.js';
import { deletionInsertionCurves } from '../evaluate/faithfulness/deletion-insertion.js';
import type { ReplacementSpec } from '../evaluate/replace.js';
import { relevanceMassAccuracy } from '../evaluate/localisation/relevance-mass-accuracy.js';
import { relevanceRankAccuracy } from '../evaluate/localisation/relevance-rank-accuracy.js';
import { auc } from '../evaluate/localisation/auc.js';
import { modelParameterRandomisation } from '../evaluate/randomisation/model-parameter-randomisation.js';
import { finiteMean } from '../evaluate/stats.js';
import type { ExplainFn } from '../evaluate/types.js';
import type { tfl } from '../backend/tf.js';

/** Wave codes of `generateEcgBeats` / `waveLabels`: 0 outside, 1 P, 2 QRS, 3 T. */
export const WAVE_NAMES = ['outside', 'P', 'QRS', 'T'] as const;

/** Beats to evaluate: standardised inputs [N, T, 1] and the explained class per beat. */
export interface BeatBatch {
  x: Float32Array;
  shape: number[];
  y: Int32Array;
}

/** |values|, one per position (attributions here are [N, T] or [N, T, 1]: identical layouts). */
export function absRelevance(values: ArrayLike<number>): Float32Array {
  return Float32Array.from(values, (v) => Math.abs(v));
}

/**
 * Mean fraction of |relevance| per wave code over the beats, via the shared ECG aggregation:
 * `relevance` and `waves` are flat [N, T]; returns [outside, P, QRS, T] summing to 1 (beats
 * with zero total relevance are skipped; all NaN when every beat is).
 */
export function waveFractions(relevance: ArrayLike<number>, waves: ArrayLike<number>, n: number): number[] {
  if (relevance.length !== waves.length || relevance.length % n !== 0) {
    throw new InvalidInputError('waves', `${waves.length} wave codes for ${relevance.length} relevance values of ${n} beats`);
  }
  const t = relevance.length / n;
  const abs = absRelevance(relevance);
  const acc = [0, 0, 0, 0];
  let used = 0;
  for (let i = 0; i < n; i++) {
    const sum = aggregateEcgRelevance(abs.subarray(i * t, (i + 1) * t), { codes: Array.prototype.slice.call(waves, i * t, (i + 1) * t) as number[] });
    if (!(sum.total > 0)) continue;
    const w = sum.waves;
    [w.none, w.P, w.QRS, w.T].forEach((r, k) => (acc[k] += r.fraction));
    used++;
  }
  return acc.map((v) => (used ? v / used : NaN));
}

/** Localisation scores (means over beats; NaN-skipping): relevance mass / rank accuracy and ROC AUC. */
export interface LocalisationScores {
  relevanceMassAccuracy: number;
  relevanceRankAccuracy: number;
  auc: number;
}

/** Localisation of |relevance| ([N, T]) against a binary mask ([N, T], 1 = truly relevant). */
export async function localisationScores(batch: BeatBatch, relevance: ArrayLike<number>, mask: ArrayLike<number>): Promise<LocalisationScores> {
  const a = { values: absRelevance(relevance), shape: batch.shape.slice(0, 2) };
  const x = { data: batch.x, shape: batch.shape };
  const o = { mask: { relevance: mask, shape: batch.shape.slice(0, 2) } };
  return {
    relevanceMassAccuracy: finiteMean(await relevanceMassAccuracy(null, x, batch.y, a, o)),
    relevanceRankAccuracy: finiteMean(await relevanceRankAccuracy(null, x, batch.y, a, o)),
    auc: finiteMean(await auc(null, x, batch.y, a, o)),
  };
}

/** Deletion results of one method. */
export interface DeletionScores {
  /** Deleted fraction of the beat at each curve point. */
  fractions: number[];
  /** Mean softmax probability of the explained class at each fraction. */
  meanCurve: number[];
  /** Mean area under the per-beat curves (lower = more faithful). */
  auc: number;
  /** Mean of p(x) - p(x with the top `dropFraction` deleted), in probability units. */
  scoreDrop: number;
  dropFraction: number;
}

/** Options of `deletionScores`. */
export interface DeletionScoreOptions {
  /** What deleted samples become (the same for every method). */
  baseline: ReplacementSpec;
  /** Curve intervals (default 20). */
  steps?: number;
  /** Fraction of the beat at which the score drop is read (linear between curve points; default 0.1). */
  dropFraction?: number;
  seed?: number;
  internalBatchSize?: number;
}

/** y at `at` on the polyline (xs ascending, at within [xs[0], xs[last]]). */
export function interpolate(xs: ArrayLike<number>, ys: ArrayLike<number>, at: number): number {
  for (let i = 1; i < xs.length; i++) {
    if (at <= xs[i] + 1e-12) {
      const w = xs[i] === xs[i - 1] ? 1 : (at - xs[i - 1]) / (xs[i] - xs[i - 1]);
      return ys[i - 1] + w * (ys[i] - ys[i - 1]);
    }
  }
  return ys[ys.length - 1];
}

/** Deletion curve (most relevant samples first, signed relevance as ranked by the metric), AUC and the drop at `dropFraction`. */
export async function deletionScores(model: ModelLike, batch: BeatBatch, relevance: ArrayLike<number>, o: DeletionScoreOptions): Promise<DeletionScores> {
  const steps = o.steps ?? 20;
  const dropFraction = o.dropFraction ?? 0.1;
  const res = await deletionInsertionCurves('deletion', model, { data: batch.x, shape: batch.shape }, batch.y, { values: relevance, shape: batch.shape.slice(0, 2) }, {
    baseline: o.baseline, steps, softmax: true, seed: o.seed ?? 0, internalBatchSize: o.internalBatchSize ?? 64,
  });
  if (!(dropFraction > 0 && dropFraction <= 1)) throw new InvalidInputError('dropFraction', `must be in (0, 1], got ${dropFraction}`);
  const meanCurve = res.fractions.map((_, s) => finiteMean(res.curves.map((c) => c[s])));
  return {
    fractions: res.fractions,
    meanCurve,
    auc: finiteMean(res.scores),
    scoreDrop: finiteMean(res.curves.map((c) => c[0] - interpolate(res.fractions, c, dropFraction))),
    dropFraction,
  };
}

/**
 * Model parameter randomisation (cascading, top layer first): Spearman similarity of |maps| per
 * randomised layer, averaged over beats, and its mean over layers. A randomised map that is
 * constant (e.g. Grad-CAM once every activation is clipped) has no rank order left: it counts as
 * similarity 0 rather than NaN, which would drop exactly the most destroyed maps from the mean.
 * Beats whose original map is constant are left out.
 */
export async function randomisationScores(model: tfl.LayersModel, batch: BeatBatch, relevance: ArrayLike<number>, explainFn: ExplainFn, seed = 0): Promise<{ meanSimilarity: number; layers: string[]; perLayer: number[] }> {
  let layers: string[] = [];
  let curves: Float32Array[] = [];
  await modelParameterRandomisation(model, { data: batch.x, shape: batch.shape }, batch.y, { values: relevance, shape: batch.shape.slice(0, 2) }, {
    explain: explainFn,
    seed,
    onLayers: (c) => {
      layers = c.layers;
      curves = c.similarity;
    },
  });
  const n = batch.shape[0], t = batch.shape[1];
  const informative = Array.from({ length: n }, (_, i) => {
    const row = absRelevance(Array.prototype.slice.call(relevance, i * t, (i + 1) * t) as number[]);
    return Math.max(...row) > Math.min(...row);
  });
  const perLayer = curves.map((c) => {
    const vals: number[] = [];
    for (let i = 0; i < n; i++) if (informative[i]) vals.push(Number.isFinite(c[i]) ? c[i] : 0);
    return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : NaN;
  });
  return { meanSimilarity: finiteMean(perLayer), layers, perLayer };
}
