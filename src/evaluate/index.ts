/**
 * Explanation-quality metrics (Quantus names): faithfulness, robustness, localisation,
 * complexity, randomisation and axiomatic checks on one call signature, batched, 1D/2D/3D:
 * `evaluate('PixelFlipping', { model, x, y, attribution, mask?, explain?, ...options })`, or
 * per metric `pixelFlipping(model, x, y, attribution, options)`, each returning one score per
 * sample (Float32Array).
 *
 * Conventions: inputs are channels last ([N, T, C], [N, H, W, C], [N, D, H, W, C] or [N, F]);
 * an attribution holds one relevance per spatial position ([N, ...spatial]); one of the input's
 * full shape is accepted and its channels are summed; perturbations replace every channel of a
 * position. Masks are per position (nonzero = relevant). `y` is the class per sample (default:
 * the predicted class); scores are the raw class output unless `softmax: true`. Robustness,
 * randomisation and InputInvariance take `explain(x, target, model)`; a returned tensor is
 * disposed by the metric. Perturbed copies of all samples run `internalBatchSize` rows per
 * forward (one explain call per chunk for robustness); progress (`evaluate:<Metric>`) counts
 * samples.
 */
import { registerMetric } from './registry.js';
import type { MetricDef } from './types.js';
import { PointingGame } from './localisation/pointing-game.js';
import { AttributionLocalisation } from './localisation/attribution-localisation.js';
import { TopKIntersection } from './localisation/top-k-intersection.js';
import { RelevanceMassAccuracy } from './localisation/relevance-mass-accuracy.js';
import { RelevanceRankAccuracy } from './localisation/relevance-rank-accuracy.js';
import { AUC } from './localisation/auc.js';
import { IoU, Dice } from './localisation/overlap.js';
import { Sparseness } from './complexity/sparseness.js';
import { Complexity } from './complexity/complexity.js';
import { EffectiveComplexity } from './complexity/effective-complexity.js';
import { PixelFlipping } from './faithfulness/pixel-flipping.js';
import { Deletion, Insertion } from './faithfulness/deletion-insertion.js';
import { RegionPerturbation } from './faithfulness/region-perturbation.js';
import { Selectivity } from './faithfulness/selectivity.js';
import { IROF } from './faithfulness/irof.js';
import { ROAD } from './faithfulness/road.js';
import { FaithfulnessCorrelation } from './faithfulness/faithfulness-correlation.js';
import { Monotonicity } from './faithfulness/monotonicity.js';
import { FaithfulnessEstimate } from './faithfulness/faithfulness-estimate.js';
import { MonotonicityCorrelation } from './faithfulness/monotonicity-correlation.js';
import { Infidelity } from './faithfulness/infidelity.js';
import { SensitivityN } from './faithfulness/sensitivity-n.js';
import { Sufficiency } from './faithfulness/sufficiency.js';
import { MaxSensitivity, AvgSensitivity } from './robustness/sensitivity.js';
import { LocalLipschitzEstimate } from './robustness/local-lipschitz.js';
import { RelativeInputStability, RelativeOutputStability } from './robustness/relative-stability.js';
import { Continuity } from './robustness/continuity.js';
import { ModelParameterRandomisation } from './randomisation/model-parameter-randomisation.js';
import { RandomLogit } from './randomisation/random-logit.js';
import { Completeness } from './axiomatic/completeness.js';
import { NonSensitivity } from './axiomatic/non-sensitivity.js';
import { InputInvariance } from './axiomatic/input-invariance.js';

registerMetric(
  ...([
    PointingGame, AttributionLocalisation, TopKIntersection, RelevanceMassAccuracy, RelevanceRankAccuracy, AUC, IoU, Dice,
    Sparseness, Complexity, EffectiveComplexity,
    PixelFlipping, Deletion, Insertion, RegionPerturbation, Selectivity, IROF, ROAD, FaithfulnessCorrelation, Monotonicity,
    FaithfulnessEstimate, MonotonicityCorrelation, Infidelity, SensitivityN, Sufficiency,
    MaxSensitivity, AvgSensitivity, LocalLipschitzEstimate, RelativeInputStability, RelativeOutputStability, Continuity,
    ModelParameterRandomisation, RandomLogit, Completeness, NonSensitivity, InputInvariance,
  ] as MetricDef<never>[]),
);

export * from './types.js';
export { EvalContext, runMetric, positionRelevance, positionMask, toInputTensor } from './base.js';
export * from './stats.js';
export * from './features.js';
export * from './replace.js';
export * from './segments.js';
export * from './perturb.js';
export { evaluate, listMetrics, metricDef, registerMetric } from './registry.js';
export { explainerFn } from './explain-fn.js';
export * from './localisation/pointing-game.js';
export * from './localisation/attribution-localisation.js';
export * from './localisation/top-k-intersection.js';
export * from './localisation/relevance-mass-accuracy.js';
export * from './localisation/relevance-rank-accuracy.js';
export * from './localisation/auc.js';
export * from './localisation/overlap.js';
export * from './complexity/sparseness.js';
export * from './complexity/complexity.js';
export * from './complexity/effective-complexity.js';
export * from './faithfulness/common.js';
export * from './faithfulness/pixel-flipping.js';
export * from './faithfulness/deletion-insertion.js';
export * from './faithfulness/region-perturbation.js';
export * from './faithfulness/selectivity.js';
export * from './faithfulness/irof.js';
export * from './faithfulness/road.js';
export * from './faithfulness/faithfulness-correlation.js';
export * from './faithfulness/monotonicity.js';
export * from './faithfulness/faithfulness-estimate.js';
export * from './faithfulness/monotonicity-correlation.js';
export * from './faithfulness/infidelity.js';
export * from './faithfulness/sensitivity-n.js';
export * from './faithfulness/sufficiency.js';
export * from './robustness/common.js';
export * from './robustness/sensitivity.js';
export * from './robustness/local-lipschitz.js';
export * from './robustness/relative-stability.js';
export * from './robustness/continuity.js';
export * from './randomisation/common.js';
export * from './randomisation/model-parameter-randomisation.js';
export * from './randomisation/random-logit.js';
export * from './axiomatic/completeness.js';
export * from './axiomatic/non-sensitivity.js';
export * from './axiomatic/input-invariance.js';
