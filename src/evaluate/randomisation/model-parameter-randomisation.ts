/**
 * Model parameter randomisation test (Adebayo et al. 2018): trainable layer weights are re-drawn
 * (from a normal distribution with each weight tensor's own mean and std, seeded) from the top layer
 * down, either cumulatively ('cascading') or one layer at a time ('independent'), and every
 * sample is re-explained; the similarity to the original attribution per layer is the curve,
 * and a sample's score is its mean over layers (lower = the explanation depends on the model,
 * as it should). The model's weights are restored afterwards, also on errors.
 */
import { tf, tfl } from '../../backend/tf.js';
import { InvalidInputError } from '../../errors.js';
import type { ModelLike } from '../../explain/types.js';
import { Rng } from '../../util/random.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, TensorInput } from '../types.js';
import { explainAll, similarityOf, type RandomisationOptions } from './common.js';

/** Similarity per randomised layer (top first) and sample. */
export interface LayerCurves {
  layers: string[];
  /** similarity[l][i]: sample i after randomising layer l (and those above it when cascading). */
  similarity: Float32Array[];
}

/** MPRT options. */
export interface ModelParameterRandomisationOptions extends RandomisationOptions {
  /** Default 'cascading'. */
  order?: 'cascading' | 'independent';
  /** Names of the layers to randomise, top first; default every layer with weights. */
  layers?: string[];
  /** Receives the per-layer curves. */
  onLayers?: (curves: LayerCurves) => void;
}

/**
 * The layer's weights with the trainable ones re-drawn from their own mean and std (std 0.1
 * where constant, e.g. zero biases); statistics such as batch-norm moving variances are kept.
 */
function randomWeights(layer: tfl.layers.Layer, rng: Rng): tf.Tensor[] {
  const trainable = layer.weights.map((v) => v.trainable);
  return layer.getWeights().map((w, j) => {
    if (!trainable[j]) return w;
    const v = w.dataSync() as Float32Array;
    const mean = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, v.length));
    return tf.tensor(Float32Array.from(v, () => rng.normal(mean, std > 0 ? std : 0.1)), w.shape);
  });
}

/** ModelParameterRandomisation per sample (needs a LayersModel and `explain`). */
export const ModelParameterRandomisation: MetricDef<ModelParameterRandomisationOptions> = {
  name: 'ModelParameterRandomisation',
  category: 'randomisation',
  needs: ['layersModel', 'explain'],
  ranks: [1, 2, 3],
  higherIsBetter: false,
  run: async (ctx, o) => {
    const model = ctx.modelLike as tfl.LayersModel;
    const withWeights = model.layers.filter((l) => l.getWeights().length > 0).reverse();
    const layers = o.layers ? o.layers.map((name) => {
      const l = withWeights.find((w) => w.name === name);
      if (!l) throw new InvalidInputError('layers', `'${name}' is not a layer with weights of model '${model.name}' (${withWeights.map((w) => w.name).join(', ')})`);
      return l;
    }) : withWeights;
    if (layers.length === 0) throw new InvalidInputError('model', `'${model.name}' has no layers with weights`);
    const similarity = similarityOf(ctx, o, 'spearman');
    const saved = layers.map((l) => l.getWeights().map((w) => ({ values: w.dataSync().slice(), shape: w.shape })));
    const restore = (k: number) => layers[k].setWeights(saved[k].map((w) => tf.tensor(w.values, w.shape)));
    const rng = new Rng(o.seed ?? 0);
    const curves: Float32Array[] = [];
    try {
      for (let k = 0; k < layers.length; k++) {
        if (o.order === 'independent' && k > 0) tf.tidy(() => restore(k - 1));
        tf.tidy(() => layers[k].setWeights(randomWeights(layers[k], rng)));
        curves.push(similarity(ctx.relevance, await explainAll(ctx, ctx.classes, model)));
      }
    } finally {
      tf.tidy(() => layers.forEach((_, k) => restore(k)));
    }
    o.onLayers?.({ layers: layers.map((l) => l.name), similarity: curves });
    return Float32Array.from({ length: ctx.n }, (_, i) => curves.reduce((a, c) => a + c[i], 0) / curves.length);
  },
};

/** MPRT mean similarity per sample. */
export function modelParameterRandomisation(model: tfl.LayersModel, x: TensorInput, y: Labels, attribution: AttributionInput, o: ModelParameterRandomisationOptions): Promise<Float32Array> {
  return runMetric(ModelParameterRandomisation, model as ModelLike, x, y, attribution, o);
}

/** MPRT per-layer similarity curves, with the mean per sample as `scores`. */
export async function modelParameterRandomisationCurves(model: tfl.LayersModel, x: TensorInput, y: Labels, attribution: AttributionInput, o: ModelParameterRandomisationOptions): Promise<LayerCurves & { scores: Float32Array }> {
  let got: LayerCurves | undefined;
  const scores = await modelParameterRandomisation(model, x, y, attribution, { ...o, onLayers: (c) => (got = c) });
  return { ...(got as unknown as LayerCurves), scores };
}
