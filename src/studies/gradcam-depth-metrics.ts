/**
 * The explanation-quality numbers of the Grad-CAM-vs-depth study, all through evaluate/'s
 * metrics on one path: localisation against the exact lesion mask (pointing game, relevance
 * mass / rank accuracy, AUC, IoU and Dice per threshold), deletion AUC of the softmax
 * probability, relevance on a confounder, and the cascading parameter-randomisation check.
 */
import type { tfl } from '../backend/tf.js';
import { evaluate } from '../evaluate/index.js';
import { positionRelevance } from '../evaluate/base.js';
import { overlapCurve } from '../evaluate/localisation/overlap.js';
import { finiteMean } from '../evaluate/stats.js';
import { explainerFn } from '../evaluate/explain-fn.js';
import type { AttributionInput, TensorInput } from '../evaluate/types.js';
import type { LayerCurves } from '../evaluate/randomisation/model-parameter-randomisation.js';
import type { MethodScores, RandomisationScores } from './gradcam-depth-config.js';

/** Localisation part of `MethodScores`. */
export type LocalisationScores = Pick<MethodScores, 'pointingGame' | 'relevanceMassAccuracy' | 'relevanceRankAccuracy' | 'auc' | 'iou' | 'dice' | 'iouMean' | 'diceMean' | 'samples'>;

const mean = (v: Float32Array) => finiteMean(v);

/**
 * Localisation of `attribution` (of inputs `x` [N, H, W, C]) against `mask` ([N, H, W], 1 =
 * lesion): means over samples of each metric; IoU/Dice per threshold of the max-scaled map.
 */
export async function localisationScores(x: TensorInput, attribution: AttributionInput, mask: Uint8Array, thresholds: number[]): Promise<LocalisationScores> {
  const args = { model: null, x, attribution, mask };
  const [pg, rma, rra, auc] = await Promise.all(
    ['PointingGame', 'RelevanceMassAccuracy', 'RelevanceRankAccuracy', 'AUC'].map((m) => evaluate(m, args)),
  );
  const shape = 'shape' in x ? x.shape : [];
  const rel = positionRelevance(attribution, shape);
  const n = shape[0];
  const positions = rel.length / n;
  const iou = thresholds.map(() => 0), dice = thresholds.map(() => 0);
  for (let i = 0; i < n; i++) {
    const r = rel.subarray(i * positions, (i + 1) * positions), m = mask.subarray(i * positions, (i + 1) * positions);
    overlapCurve(r, m, thresholds, 'iou').forEach((v, k) => (iou[k] += v / n));
    overlapCurve(r, m, thresholds, 'dice').forEach((v, k) => (dice[k] += v / n));
  }
  const avg = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  return {
    pointingGame: mean(pg), relevanceMassAccuracy: mean(rma), relevanceRankAccuracy: mean(rra), auc: mean(auc),
    iou, dice, iouMean: avg(iou), diceMean: avg(dice), samples: n,
  };
}

/**
 * Mean fraction of relevance on `region` ([N, H, W]) over the samples where `present[i]` is 1
 * (RelevanceMassAccuracy with the region as mask); NaN when no sample carries it.
 */
export async function regionRelevance(x: TensorInput, attribution: AttributionInput, region: Uint8Array, present: ArrayLike<number>): Promise<number> {
  const scores = await evaluate('RelevanceMassAccuracy', { model: null, x, attribution, mask: region });
  const kept = Array.from(scores).filter((_, i) => present[i] === 1);
  return kept.length ? finiteMean(kept) : NaN;
}

/**
 * Masks [N, size, size] dilated by `radius` pixels (square neighbourhood, so a 1-pixel stroke
 * becomes 2 * radius + 1 wide), with pixels where `exclude` is 1 cleared (the lesion: the two
 * regions stay disjoint). Why: CAM maps are coarse (2x2 to 8x8 grids upsampled), so relevance
 * attributed to a thin marker lands around its strokes rather than exactly on them.
 */
export function dilateMasks(masks: Uint8Array, size: number, radius: number, exclude?: Uint8Array): Uint8Array {
  const P = size * size, n = masks.length / P;
  const out = new Uint8Array(masks.length), rows = new Uint8Array(P);
  for (let i = 0; i < n; i++) {
    const m = masks.subarray(i * P, (i + 1) * P), o = out.subarray(i * P, (i + 1) * P);
    rows.fill(0);
    // separable: horizontal pass into `rows`, vertical pass into `o`
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        if (!m[r * size + c]) continue;
        for (let d = Math.max(0, c - radius); d <= Math.min(size - 1, c + radius); d++) rows[r * size + d] = 1;
      }
    }
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        if (!rows[r * size + c]) continue;
        for (let d = Math.max(0, r - radius); d <= Math.min(size - 1, r + radius); d++) o[d * size + c] = 1;
      }
    }
    if (exclude) for (let p = 0; p < P; p++) if (exclude[i * P + p]) o[p] = 0;
  }
  return out;
}

/** Deletion AUC of the class-`target` softmax probability, mean over samples (lower = more faithful). */
export async function deletionAuc(model: tfl.LayersModel, x: TensorInput, target: number, attribution: AttributionInput, steps: number): Promise<number> {
  return mean(await evaluate('Deletion', { model, x, y: target, attribution, steps, softmax: true }));
}

/**
 * `count` layers with weights, evenly spaced from the top (logits) to the stem, top first:
 * the subset the cascading randomisation walks (all layers would cost one explanation pass each,
 * ~240 for DenseNet-121).
 */
export function randomisationLayers(model: tfl.LayersModel, count: number): string[] {
  const withWeights = model.layers.filter((l) => l.getWeights().length > 0).reverse();
  if (withWeights.length <= count) return withWeights.map((l) => l.name);
  const picked = new Set<number>();
  for (let k = 0; k < count; k++) picked.add(Math.round((k * (withWeights.length - 1)) / Math.max(1, count - 1)));
  return [...picked].sort((a, b) => a - b).map((i) => withWeights[i].name);
}

/**
 * Cascading model-parameter randomisation (Adebayo et al. 2018) of `method` at `layer`: mean
 * Spearman similarity of |map| to the trained model's after each step. The model is restored.
 */
export async function randomisationScores(
  model: tfl.LayersModel, x: TensorInput, target: number, attribution: AttributionInput, method: string, layer: string | undefined, layerCount: number, seed: number,
): Promise<RandomisationScores> {
  let curves: LayerCurves | undefined;
  await evaluate('ModelParameterRandomisation', {
    model, x, y: target, attribution, seed, order: 'cascading', layers: randomisationLayers(model, layerCount),
    explain: explainerFn(method, layer ? { layer } : {}), onLayers: (c: LayerCurves) => (curves = c),
  });
  const c = curves as unknown as LayerCurves;
  const similarity = c.similarity.map((s) => mean(s));
  return { layers: c.layers, similarity, finalSimilarity: similarity[similarity.length - 1] };
}
