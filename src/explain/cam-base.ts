/**
 * `CamExplainer`, the base of the CAM family (like pytorch-grad-cam's BaseCAM): splits the
 * model at a named layer, gets activations (and gradients when the method needs them) for a
 * chunk of samples, lets the method turn them into a map on the layer grid, applies ReLU and
 * upsamples to the input size for 1D, 2D and 3D layers. ViT token layers are seen as their
 * [gridH, gridW, D] patch grid (grid from the model config, class token left out). A method
 * only says how to weight channels.
 */
import { tf, tfl } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import type { Attribution } from './attribution.js';
import { Explainer, targetScores, type ExplainContext } from './base.js';
import { defaultCamLayer, splitAt, type GraphValues, type LayerSplit } from './layer-split.js';
import { interpolationName, upsample } from './spatial.js';
import type { CommonOptions } from './types.js';

/** Options of every CAM method. */
export interface CamOptions extends CommonOptions {
  /** Layer whose activation is used; default the last convolution layer. */
  layer?: string;
  /** Upsample to the input's spatial size (default true); false keeps the layer grid. */
  upsample?: boolean;
}

/** What a CAM method receives for a chunk of samples (tensors live in the caller's tidy). */
export interface CamInputs {
  ctx: ExplainContext;
  split: LayerSplit;
  /** [n, ...grid, K]. */
  activation: tf.Tensor;
  values: GraphValues;
  /** Sample index of each row. */
  samples: Int32Array;
  /** The input rows [n, ...]. */
  x: tf.Tensor;
}

/** Spatial axes of an [n, ...grid, K] tensor. */
export function gridAxes(t: tf.Tensor): number[] {
  return [...Array(t.shape.length - 2).keys()].map((i) => i + 1);
}

/** Gradient of the target score with respect to the layer activation (inside tidy). */
export function activationGradients(c: CamInputs): tf.Tensor {
  return tf.grad((a: tf.Tensor) => tf.sum(targetScores(c.split.tail(a, c.values), c.ctx.target, c.samples)))(c.activation);
}

/** sum_k weights[n, k] * A[n, ..., k] -> [n, ...grid] (inside tidy). */
export function weightedSum(activation: tf.Tensor, weights: tf.Tensor): tf.Tensor {
  const shape = [weights.shape[0], ...new Array(activation.shape.length - 2).fill(1), weights.shape[1] as number];
  return tf.sum(tf.mul(activation, tf.reshape(weights, shape)), -1);
}

/** Base class of CAM methods. */
export abstract class CamExplainer<O extends CamOptions = CamOptions> extends Explainer<O> {
  /** The map's forward pass (split at the layer, then the tail) predicts the class; Score-CAM opts out. */
  protected override readonly predictsFromOwnForward: boolean = true;
  /** Whether ReLU is applied to the map (true for all pytorch-grad-cam methods). */
  protected readonly relu: boolean = true;

  constructor(model: tfl.LayersModel) {
    super(model);
    if (!(model instanceof tfl.LayersModel)) throw new InvalidInputError('model', 'CAM methods need a tfjs LayersModel (to split it at a layer)');
  }

  /** The method's map on the layer grid, [n, ...grid] (inside tidy; may be async-free only). */
  protected abstract cam(c: CamInputs, options: O): tf.Tensor;

  protected async run(ctx: ExplainContext, o: O): Promise<Attribution> {
    const model = this.model as tfl.LayersModel;
    const split = splitAt(model, o.layer ?? defaultCamLayer(model));
    const spatial = ctx.input.shape.slice(1, -1);
    let grid: number[] = [];
    const values = await ctx.mapInputChunks((x, samples) => {
      const { activation, values } = split.forward(x);
      grid = activation.shape.slice(1, -1);
      let map = this.cam({ ctx, split, activation, values, samples, x }, o);
      if (this.relu) map = tf.relu(map);
      map = tf.expandDims(map, -1);
      return o.upsample !== false ? upsample(map, spatial) : map;
    });
    const outSpatial = o.upsample === false ? grid : spatial;
    return ctx.attribution(values, {
      shape: [ctx.n, ...outSpatial, 1],
      grid: { layer: split.layerName, shape: grid, upsampling: o.upsample === false ? 'none' : interpolationName(ctx.rank) },
    });
  }
}
