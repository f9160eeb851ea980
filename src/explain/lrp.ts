/**
 * Layer-wise relevance propagation (Bach et al.; rules as in Montavon et al. 2019 / zennit)
 * for layers models, walking the graph backwards from the target output:
 * - Dense and Conv1D/2D/3D: epsilon, gamma or alpha-beta rule (z+ = alpha 1, beta 0), with a
 *   separate rule for the first layer (e.g. z+);
 * - pooling, BatchNormalization, Add, Concatenate and other weight-free linear-ish layers:
 *   the epsilon rule through the layer itself (max pooling gives winner-take-all);
 * - activations, Dropout, Flatten, Reshape: relevance passes unchanged (reshaped).
 * Every rule is computed as R_in = a * grad_a(sum(z(a) * stop(R / z))), the gradient trick.
 */
import { tf } from '../backend/tf.js';
import { InvalidInputError, UnsupportedError } from '../errors.js';
import type { Attribution } from './attribution.js';
import { Explainer, targetScores, type ExplainContext } from './base.js';
import { requireLayersModel } from './activation-rules.js';
import { graphOf, type GraphNode, type Layer } from './graph.js';
import type { CommonOptions } from './types.js';

/** A propagation rule for layers with weights. */
export type LrpRule =
  | { name: 'epsilon'; epsilon?: number }
  | { name: 'gamma'; gamma?: number; epsilon?: number }
  | { name: 'alphabeta'; alpha?: number; beta?: number }
  | { name: 'zplus' };

/** LRP options. */
export interface LrpOptions extends CommonOptions {
  /** Rule for Dense/Conv layers. Default epsilon with epsilon 1e-9 (LRP-0 in effect). */
  rule?: LrpRule;
  /** Rule for the first weighted layer (the one reading the input). Default: same as `rule`. */
  firstLayerRule?: LrpRule;
  /** Stabiliser of the weight-free layers. Default 1e-9. */
  epsilon?: number;
}

const PASS = /^(Activation|ReLU|LeakyReLU|ELU|Softmax|ThresholdedReLU|Dropout|SpatialDropout1D|GaussianNoise|GaussianDropout|AlphaDropout|Flatten|Reshape|InputLayer)$/;
const WEIGHTED = /^(Dense|Conv1D|Conv2D|Conv3D)$/;
const LINEARISH = /^(MaxPooling[123]D|AveragePooling[123]D|GlobalAveragePooling[12]D|GlobalMaxPooling[12]D|BatchNormalization|Add|Average|Concatenate|ZeroPadding[12]D|Cropping2D|UpSampling2D|Permute)$/;

/** z + eps * sign(z), with sign(0) = 1, so the division never blows up. */
function stabilise(z: tf.Tensor, eps: number): tf.Tensor {
  return tf.add(z, tf.mul(tf.where(tf.greaterEqual(z, 0), tf.onesLike(z), tf.neg(tf.onesLike(z))), eps));
}

/** The linear part of a Dense or Conv layer with given kernel (and optional bias). */
function linearPart(layer: Layer, a: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const cfg = layer.getConfig() as Record<string, unknown>;
  const cls = layer.getClassName();
  let z: tf.Tensor;
  if (cls === 'Dense') {
    const inDim = kernel.shape[0];
    z = tf.reshape(tf.matMul(tf.reshape(a, [-1, inDim]), kernel as tf.Tensor2D), [...a.shape.slice(0, -1), kernel.shape[1] as number]);
  } else {
    const pad = cfg.padding as string;
    if (pad !== 'same' && pad !== 'valid') throw new UnsupportedError('layer', `LRP: ${layer.name} uses padding '${pad}'`);
    const strides = cfg.strides as number[], dil = cfg.dilationRate as number[] | number;
    const d = Array.isArray(dil) ? dil : [dil];
    if (cls === 'Conv1D') z = tf.conv1d(a as tf.Tensor3D, kernel as tf.Tensor3D, strides[0], pad, 'NWC', d[0]);
    else if (cls === 'Conv2D') z = tf.conv2d(a as tf.Tensor4D, kernel as tf.Tensor4D, strides as [number, number], pad, 'NHWC', (d.length === 1 ? [d[0], d[0]] : d) as [number, number]);
    else z = tf.conv3d(a as tf.Tensor5D, kernel as tf.Tensor5D, strides as [number, number, number], pad, 'NDHWC', (d.length === 1 ? [d[0], d[0], d[0]] : d) as [number, number, number]);
  }
  return bias ? tf.add(z, bias) : z;
}

/** R_in = a * grad_a(sum(f(a) * stop(R / stab(f(a))))) for a single-input f. */
function propagate(f: (a: tf.Tensor) => tf.Tensor, a: tf.Tensor, r: tf.Tensor, eps: number): tf.Tensor {
  const s = tf.div(r, stabilise(f(a), eps));
  return tf.mul(a, tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), s)))(a));
}

/** Relevance of a weighted layer's input under `rule`. */
function weightedRelevance(layer: Layer, a: tf.Tensor, r: tf.Tensor, rule: LrpRule): tf.Tensor {
  const [kernel, bias] = layer.getWeights();
  if (rule.name === 'epsilon') return propagate((t) => linearPart(layer, t, kernel, bias), a, r, rule.epsilon ?? 1e-9);
  if (rule.name === 'gamma') {
    const g = rule.gamma ?? 0.25;
    const k = tf.add(kernel, tf.mul(tf.relu(kernel), g));
    const b = bias ? tf.add(bias, tf.mul(tf.relu(bias), g)) : undefined;
    return propagate((t) => linearPart(layer, t, k, b), a, r, rule.epsilon ?? 1e-9);
  }
  const alpha = rule.name === 'zplus' ? 1 : rule.alpha ?? 1;
  const beta = rule.name === 'zplus' ? 0 : rule.beta ?? 0;
  if (Math.abs(alpha - beta - 1) > 1e-9) throw new InvalidInputError('rule', `alpha - beta must be 1, got alpha ${alpha}, beta ${beta}`);
  const kp = tf.relu(kernel), kn = tf.neg(tf.relu(tf.neg(kernel)));
  const ap = tf.relu(a), an = tf.neg(tf.relu(tf.neg(a)));
  // Positive (negative) contributions: a+ W+ + a- W- (a+ W- + a- W+); biases ignored.
  const part = (w1: tf.Tensor, w2: tf.Tensor) => {
    const z = tf.add(linearPart(layer, ap, w1), linearPart(layer, an, w2));
    const s = tf.div(r, tf.where(tf.equal(z, 0), tf.onesLike(z), z));
    const [g1, g2] = tf.grads((x1: tf.Tensor, x2: tf.Tensor) => tf.sum(tf.mul(tf.add(linearPart(layer, x1, w1), linearPart(layer, x2, w2)), s)))([ap, an]);
    return tf.add(tf.mul(ap, g1), tf.mul(an, g2));
  };
  const pos = part(kp, kn);
  return beta === 0 ? tf.mul(pos, alpha) : tf.sub(tf.mul(pos, alpha), tf.mul(part(kn, kp), beta));
}

/** Relevance of each input of a weight-free node (epsilon rule through the layer). */
function nodeRelevance(node: GraphNode, ins: tf.Tensor[], r: tf.Tensor, eps: number): tf.Tensor[] {
  const cls = node.layer.getClassName();
  if (PASS.test(cls)) return [tf.reshape(r, ins[0].shape)];
  if (!LINEARISH.test(cls)) throw new UnsupportedError('layer', `LRP does not support ${cls} layer '${node.layer.name}'`);
  const f = (...xs: tf.Tensor[]) => node.layer.apply(xs.length === 1 ? xs[0] : xs, { training: false }) as tf.Tensor;
  const s = tf.div(r, stabilise(f(...ins), eps));
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), s)))(ins);
  return ins.map((a, i) => tf.mul(a, grads[i]));
}

/** LRP: relevance of the target output redistributed to the input, layer by layer. */
export class LRP extends Explainer<LrpOptions> {
  readonly name = 'LRP';
  protected async run(ctx: ExplainContext, o: LrpOptions): Promise<Attribution> {
    const model = requireLayersModel(this.model, this.name);
    const graph = graphOf(model);
    const rule = o.rule ?? { name: 'epsilon', epsilon: 1e-9 };
    const firstRule = o.firstLayerRule ?? rule;
    const eps = o.epsilon ?? 1e-9;
    const inputId = model.inputs[0].id;
    for (const n of graph.nodes) {
      const cls = n.layer.getClassName();
      if (!PASS.test(cls) && !WEIGHTED.test(cls) && !LINEARISH.test(cls)) throw new UnsupportedError('layer', `LRP does not support ${cls} layer '${n.layer.name}'`);
    }
    const values = await ctx.mapInputChunks((x, samples) => {
      const acts = graph.run(new Map([[inputId, x]]));
      const out = acts.get(model.outputs[0].id)!;
      // Output relevance: the output times d score / d output (the target logit for a class).
      const r0 = tf.mul(out, tf.grad((t: tf.Tensor) => tf.sum(targetScores(t, ctx.target, samples)))(out));
      const rel = new Map<number, tf.Tensor>([[model.outputs[0].id, r0]]);
      for (const node of [...graph.nodes].reverse()) {
        const r = rel.get(node.outputs[0].id);
        if (!r) continue;
        const ins = node.inputs.map((t) => acts.get(t.id)!);
        const cls = node.layer.getClassName();
        const rin = WEIGHTED.test(cls)
          ? [weightedRelevance(node.layer, ins[0], r, node.inputs[0].id === inputId ? firstRule : rule)]
          : nodeRelevance(node, ins, r, eps);
        node.inputs.forEach((t, i) => rel.set(t.id, rel.has(t.id) ? tf.add(rel.get(t.id)!, rin[i]) : rin[i]));
      }
      return rel.get(inputId)!;
    });
    return ctx.attribution(values);
  }
}

