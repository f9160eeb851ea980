/**
 * FullGrad (Srinivas & Fleuret 2019), as pytorch-grad-cam computes it: |input gradient x
 * input| plus, for every convolution and BatchNorm layer, |gradient of the layer's
 * pre-activation output x its bias|, each min-max scaled per sample and channel, upsampled to
 * the input size and summed over channels. `fullGradients` exposes the raw parts, whose total
 * satisfies full-gradient completeness f(x) = grad_x . x + sum_l grad_b_l . b_l for piecewise
 * linear (ReLU) networks, Dense biases included.
 */
import { tf, tfl } from '../backend/tf.js';
import type { Attribution } from './attribution.js';
import { Explainer, targetScores, type ExplainContext, type ResolvedTarget } from './base.js';
import { forwardWithRule, keepActivations, requireLayersModel } from './activation-rules.js';
import type { Layer } from './graph.js';
import { upsample } from './spatial.js';
import type { CommonOptions } from './types.js';

/** Bias of a layer as seen by its output (BatchNorm: beta - gamma * mean / sqrt(var + eps)); undefined if none. */
export function effectiveBias(layer: Layer): tf.Tensor | undefined {
  const cls = layer.getClassName();
  const cfg = layer.getConfig() as Record<string, unknown>;
  if (/^(Conv[123]D|Dense)$/.test(cls)) return cfg.useBias ? layer.getWeights()[1] : undefined;
  if (cls !== 'BatchNormalization') return undefined;
  return tf.tidy(() => {
    const w = layer.getWeights();
    let i = 0;
    const gamma = cfg.scale !== false ? w[i++] : undefined;
    const beta = cfg.center !== false ? w[i++] : undefined;
    const [mean, variance] = [w[i], w[i + 1]];
    const inv = tf.rsqrt(tf.add(variance, cfg.epsilon as number));
    const shift = tf.neg(tf.mul(mean, gamma ? tf.mul(gamma, inv) : inv));
    return beta ? tf.add(beta, shift) : shift;
  });
}

/** Raw FullGrad parts of a batch: input gradient and grad x bias maps per bias layer (call inside tidy). */
export function fullGradients(model: tfl.LayersModel, x: tf.Tensor, target: ResolvedTarget, samples: Int32Array): {
  inputGradient: tf.Tensor;
  biasTerms: { layer: string; value: tf.Tensor }[];
} {
  const layers: { layer: Layer; bias: tf.Tensor; shape: number[] }[] = [];
  forwardWithRule(model, x, keepActivations, (layer, z) => {
    const bias = effectiveBias(layer);
    if (bias) layers.push({ layer, bias, shape: z.shape });
    return z;
  });
  // Probes added to each pre-activation output: their gradients are the bias gradients.
  const probes = layers.map((l) => tf.zeros(l.shape));
  const f = (input: tf.Tensor, ...ps: tf.Tensor[]) => {
    let k = 0;
    const out = forwardWithRule(model, input, keepActivations, (layer, z) => (effectiveBias(layer) ? tf.add(z, ps[k++]) : z));
    return tf.sum(targetScores(out, target, samples));
  };
  const [inputGradient, ...grads] = tf.grads(f)([x, ...probes]);
  return { inputGradient, biasTerms: layers.map((l, i) => ({ layer: l.layer.name, value: tf.mul(grads[i], l.bias) })) };
}

/** Min-max per sample and channel of [n, ...spatial, C]. */
function scalePerChannel(t: tf.Tensor): tf.Tensor {
  const axes = t.shape.slice(1, -1).map((_, i) => i + 1);
  const lo = tf.min(t, axes, true), hi = tf.max(t, axes, true);
  return tf.div(tf.sub(t, lo), tf.add(tf.sub(hi, lo), 1e-7));
}

/** FullGrad saliency map ([N, ...spatial, 1]). */
export class FullGrad extends Explainer<CommonOptions> {
  readonly name = 'FullGrad';
  protected override readonly predictsFromOwnForward: boolean = true;
  protected async run(ctx: ExplainContext): Promise<Attribution> {
    const model = requireLayersModel(this.model, this.name);
    const spatial = ctx.input.shape.slice(1, -1);
    const rank = ctx.input.shape.length;
    const values = await ctx.mapInputChunks((x, samples) => {
      const { inputGradient, biasTerms } = fullGradients(model, x, ctx.target, samples);
      let map = tf.sum(scalePerChannel(tf.abs(tf.mul(inputGradient, x))), -1, true);
      for (const b of biasTerms) {
        if (b.value.shape.length !== rank) continue; // Dense layers have no spatial map
        map = tf.add(map, tf.sum(upsample(scalePerChannel(tf.abs(b.value)), spatial), -1, true));
      }
      return map;
    });
    return ctx.attribution(values, { shape: [ctx.n, ...spatial, 1] });
  }
}
