/**
 * Metrics of the ECG-LSTM study, per explanation method, on top of evaluate/: deletion curves
 * (AUC and score drop at a fixed deleted fraction, one replacement for every method),
 * localisation against a ground-truth mask, relevance fractions per ECG wave, and the model
 * parameter randomisation sanity check. Localisation and wave fractions use |attribution|
 * (signed methods such as IG put evidence in both signs; plausibility asks where, not which sign).
 */
import { InvalidInputError } from '../errors.js';
import type { ModelLike } from '../explain/types.js';
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
 * Mean fraction of |relevance| per wave code over the beats: `relevance` and `waves` are flat
 * [N, T]; returns [outside, P, QRS, T] summing to 1 (beats with zero total relevance are skipped;
 * all NaN when every beat is).
 */
export function waveFractions(relevance: ArrayLike<number>, waves: ArrayLike<number>, n: number): number[] {
  if (relevance.length !== waves.length || relevance.length % n !== 0) {
    throw new InvalidInputError('waves', `${waves.length} wave codes for ${relevance.length} relevance values of ${n} beats`);
  }
  const t = relevance.length / n;
  const acc = [0, 0, 0, 0];
  let used = 0;
  for (let i = 0; i < n; i++) {
    const per = [0, 0, 0, 0];
    let total = 0;
    for (let j = i * t; j < (i + 1) * t; j++) {
      const code = waves[j];
      if (!(code >= 0 && code <= 3)) throw new InvalidInputError('waves', `code ${code} at ${j} is not 0-3`);
      const r = Math.abs(relevance[j]);
      per[code] += r;
      total += r;
    }
    if (!(total > 0)) continue;
    per.forEach((v, k) => (acc[k] += v / total));
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
  /** Fraction of the beat at which the score drop is read (must be a curve point; default 0.1). */
  dropFraction?: number;
  seed?: number;
  internalBatchSize?: number;
}

/** Deletion curve (most relevant samples first, signed relevance as ranked by the metric), AUC and the drop at `dropFraction`. */
export async function deletionScores(model: ModelLike, batch: BeatBatch, relevance: ArrayLike<number>, o: DeletionScoreOptions): Promise<DeletionScores> {
  const steps = o.steps ?? 20;
  const dropFraction = o.dropFraction ?? 0.1;
  const res = await deletionInsertionCurves('deletion', model, { data: batch.x, shape: batch.shape }, batch.y, { values: relevance, shape: batch.shape.slice(0, 2) }, {
    baseline: o.baseline, steps, softmax: true, seed: o.seed ?? 0, internalBatchSize: o.internalBatchSize ?? 64,
  });
  const k = res.fractions.findIndex((f) => Math.abs(f - dropFraction) < 1e-6);
  if (k < 0) throw new InvalidInputError('dropFraction', `${dropFraction} is not a point of the ${steps}-step deletion curve`);
  const meanCurve = res.fractions.map((_, s) => finiteMean(res.curves.map((c) => c[s])));
  return {
    fractions: res.fractions,
    meanCurve,
    auc: finiteMean(res.scores),
    scoreDrop: finiteMean(res.curves.map((c) => c[0] - c[k])),
    dropFraction,
  };
}

/** Model parameter randomisation: mean Spearman similarity (|maps|) after cascading randomisation, and per layer. */
export async function randomisationScores(model: tfl.LayersModel, batch: BeatBatch, relevance: ArrayLike<number>, explainFn: ExplainFn, seed = 0): Promise<{ meanSimilarity: number; layers: string[]; perLayer: number[] }> {
  let layers: string[] = [];
  let perLayer: number[] = [];
  const scores = await modelParameterRandomisation(model, { data: batch.x, shape: batch.shape }, batch.y, { values: relevance, shape: batch.shape.slice(0, 2) }, {
    explain: explainFn,
    seed,
    onLayers: (c) => {
      layers = c.layers;
      perLayer = c.similarity.map((s) => finiteMean(s));
    },
  });
  return { meanSimilarity: finiteMean(scores), layers, perLayer };
}
