/**
 * Guided backpropagation (Springenberg et al.) and deconvolution (Zeiler & Fergus): input
 * gradients with ReLU backward passes replaced. Guided: pass dy where both the forward input
 * and dy are positive. Deconvolution: pass ReLU(dy), ignoring the forward input. Other
 * activations back-propagate normally.
 */
import { tf, tfl } from '../backend/tf.js';
import type { Attribution } from './attribution.js';
import { Explainer, type ExplainContext } from './base.js';
import { forwardWithRule, requireLayersModel, type ActivationRule } from './activation-rules.js';
import { inputGradients } from './saliency.js';
import type { CommonOptions } from './types.js';

/** ReLU whose gradient is `backward(dy, z)`. */
function reluWithGradient(backward: (dy: tf.Tensor, z: tf.Tensor) => tf.Tensor): (z: tf.Tensor) => tf.Tensor {
  const f = (z: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
    save([z]);
    return { value: tf.relu(z), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => backward(dy, saved[0]) };
  };
  return tf.customGrad(f as never) as unknown as (z: tf.Tensor) => tf.Tensor;
}

// step(z) = (z > 0 ? 1 : 0): one arithmetic kernel instead of a comparison and a cast.
const guided = reluWithGradient((dy, z) => tf.mul(tf.relu(dy), tf.step(z)));
const deconv = reluWithGradient((dy) => tf.relu(dy));

/** Activation rules of the two methods. */
export const guidedRule: ActivationRule = (name, z, original) => (name === 'relu' ? guided(z) : original(z));
export const deconvRule: ActivationRule = (name, z, original) => (name === 'relu' ? deconv(z) : original(z));

/** Per-sample modified input gradients of a model under `rule`, batched. */
export function ruleGradients(ctx: ExplainContext, model: tfl.LayersModel, rule: ActivationRule): Promise<Float32Array> {
  return inputGradients(ctx, (x) => forwardWithRule(model, x, rule));
}

/** Guided backpropagation. */
export class GuidedBackprop extends Explainer<CommonOptions> {
  readonly name = 'GuidedBackprop';
  protected override readonly predictsFromOwnForward: boolean = true;
  protected async run(ctx: ExplainContext): Promise<Attribution> {
    return ctx.attribution(await ruleGradients(ctx, requireLayersModel(this.model, this.name), guidedRule));
  }
}

/** Deconvolution. */
export class Deconvolution extends Explainer<CommonOptions> {
  readonly name = 'Deconvolution';
  protected override readonly predictsFromOwnForward: boolean = true;
  protected async run(ctx: ExplainContext): Promise<Attribution> {
    return ctx.attribution(await ruleGradients(ctx, requireLayersModel(this.model, this.name), deconvRule));
  }
}
