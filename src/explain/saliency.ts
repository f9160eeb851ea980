/** Saliency (Simonyan et al.): the gradient of the target score with respect to the input. */
import { tf } from '../backend/tf.js';
import type { Attribution } from './attribution.js';
import { Explainer, type ExplainContext } from './base.js';
import { pickRows, sumRowGradients } from './gradient-rows.js';
import type { CommonOptions } from './types.js';

/** Saliency options. */
export interface SaliencyOptions extends CommonOptions {
  /** Absolute value of the gradient (Captum's default). Default true. */
  abs?: boolean;
}

/** Gradients of all samples, batched (Saliency, InputXGradient; `forward` replaces the model's, e.g. guided backprop). */
export async function inputGradients(ctx: ExplainContext, forward?: (x: tf.Tensor) => tf.Tensor): Promise<Float32Array> {
  const { sum } = await sumRowGradients(ctx, ctx.n, (s, e) => {
    const samples = new Int32Array(e - s).map((_, i) => s + i);
    return { rows: pickRows(ctx.input, samples), samples, weights: new Float32Array(e - s).fill(1) };
  }, false, forward);
  return sum;
}

/** Saliency map: |d score / d input| (or the signed gradient with `abs: false`). */
export class Saliency extends Explainer<SaliencyOptions> {
  readonly name = 'Saliency';
  protected override readonly predictsFromOwnForward: boolean = true;
  protected async run(ctx: ExplainContext, o: SaliencyOptions): Promise<Attribution> {
    const g = await inputGradients(ctx);
    return ctx.attribution(o.abs === false ? g : g.map(Math.abs));
  }
}

/** Input x gradient: the gradient times the input, elementwise. */
export class InputXGradient extends Explainer<CommonOptions> {
  readonly name = 'InputXGradient';
  protected override readonly predictsFromOwnForward: boolean = true;
  protected async run(ctx: ExplainContext): Promise<Attribution> {
    const g = await inputGradients(ctx);
    const x = ctx.input.dataSync();
    return ctx.attribution(g.map((v, i) => v * x[i]));
  }
}

/** Elementwise (x - baseline) * values, all as flat arrays. */
export function timesDifference(values: Float32Array, x: tf.Tensor, baseline: tf.Tensor): Float32Array {
  const xv = x.dataSync(), bv = baseline.dataSync();
  return values.map((v, i) => v * (xv[i] - bv[i]));
}
