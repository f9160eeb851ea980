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

/**
 * z + eps * sign(z), with sign(0) = 1, so the division never blows up. The sign is
 * 1 - 2 step(-z) (step(t) = t > 0 ? 1 : 0): plain arithmetic kernels, fast on every backend.
 */
function stabilise(z: tf.Tensor, eps: number): tf.Tensor {
  return tf.add(z, tf.mul(tf.sub(1, tf.mul(tf.step(tf.neg(z)), 2)), eps));
}

/** z where z != 0, else 1: z + 1 - step(|z|), with |z| = relu(z) + relu(-z) (exact). */
function nonZero(z: tf.Tensor): tf.Tensor {
  return tf.add(z, tf.sub(1, tf.step(tf.add(tf.relu(z), tf.relu(tf.neg(z))))));
}

/** Config of a Dense or Conv layer that the linear part and its transpose need. */
function convConfig(layer: Layer): { pad: 'same' | 'valid'; strides: number[]; dilations: number[] } {
  const cfg = layer.getConfig() as Record<string, unknown>;
  const pad = cfg.padding as string;
  if (pad !== 'same' && pad !== 'valid') throw new UnsupportedError('layer', `LRP: ${layer.name} uses padding '${pad}'`);
  const dil = cfg.dilationRate as number[] | number;
  return { pad, strides: cfg.strides as number[], dilations: Array.isArray(dil) ? dil : [dil] };
}

/** The linear part of a Dense or Conv layer with given kernel (and optional bias). */
function linearPart(layer: Layer, a: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const cls = layer.getClassName();
  let z: tf.Tensor;
  if (cls === 'Dense') {
    const inDim = kernel.shape[0];
    z = tf.reshape(tf.matMul(tf.reshape(a, [-1, inDim]), kernel as tf.Tensor2D), [...a.shape.slice(0, -1), kernel.shape[1] as number]);
  } else {
    const { pad, strides, dilations: d } = convConfig(layer);
    if (cls === 'Conv1D') z = tf.conv1d(a as tf.Tensor3D, kernel as tf.Tensor3D, strides[0], pad, 'NWC', d[0]);
    else if (cls === 'Conv2D') z = tf.conv2d(a as tf.Tensor4D, kernel as tf.Tensor4D, strides as [number, number], pad, 'NHWC', (d.length === 1 ? [d[0], d[0]] : d) as [number, number]);
    else z = tf.conv3d(a as tf.Tensor5D, kernel as tf.Tensor5D, strides as [number, number, number], pad, 'NDHWC', (d.length === 1 ? [d[0], d[0], d[0]] : d) as [number, number, number]);
  }
  return bias ? tf.add(z, bias) : z;
}

/**
 * Transpose of the linear part applied to `s`: grad_a(sum(linearPart(a) * s)), computed with
 * the backward-data kernel itself (no forward pass); the bias does not enter. Dilated
 * convolutions go through tf.grad.
 */
function linearTranspose(layer: Layer, a: tf.Tensor, s: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
  const cls = layer.getClassName();
  if (cls === 'Dense') {
    const units = kernel.shape[1] as number;
    return tf.reshape(tf.matMul(tf.reshape(s, [-1, units]), kernel as tf.Tensor2D, false, true), a.shape);
  }
  const { pad, strides, dilations } = convConfig(layer);
  if (dilations.every((d) => d === 1)) {
    if (cls === 'Conv2D') return tf.conv2dTranspose(s as tf.Tensor4D, kernel as tf.Tensor4D, a.shape as [number, number, number, number], strides as [number, number], pad);
    if (cls === 'Conv3D') return tf.conv3dTranspose(s as tf.Tensor5D, kernel as tf.Tensor5D, a.shape as [number, number, number, number, number], strides as [number, number, number], pad);
    if (cls === 'Conv1D') {
      const [n, w, c] = a.shape;
      const [kw, cin, cout] = kernel.shape;
      const s4 = tf.reshape(s, [n, 1, s.shape[1] as number, s.shape[2] as number]) as tf.Tensor4D;
      const k4 = tf.reshape(kernel, [1, kw, cin, cout]) as tf.Tensor4D;
      return tf.reshape(tf.conv2dTranspose(s4, k4, [n, 1, w, c], [1, strides[0]], pad), a.shape);
    }
  }
  return tf.grad((t: tf.Tensor) => linearPart(layer, t, kernel))(a, s);
}

/** R_in = a * transpose(R / stab(z)): the epsilon rule for pre-activations z of a layer with `kernel`. */
function propagate(layer: Layer, a: tf.Tensor, z: tf.Tensor, kernel: tf.Tensor, r: tf.Tensor, eps: number): tf.Tensor {
  return tf.mul(a, linearTranspose(layer, a, tf.div(r, stabilise(z, eps)), kernel));
}

/** Whether a Dense/Conv layer applies no activation (its output is its linear part). */
function isLinear(layer: Layer): boolean {
  const act = (layer as unknown as { activation?: { getClassName(): string } }).activation;
  return !act || act.getClassName() === 'linear';
}

/**
 * Relevance of a weighted layer's input under `rule`; `out` is the layer's output from the
 * forward pass, reused as z when the layer is linear and the rule keeps the weights.
 */
function weightedRelevance(layer: Layer, a: tf.Tensor, out: tf.Tensor, r: tf.Tensor, rule: LrpRule): tf.Tensor {
  const [kernel, bias] = layer.getWeights();
  if (rule.name === 'epsilon') {
    const z = isLinear(layer) ? out : linearPart(layer, a, kernel, bias);
    return propagate(layer, a, z, kernel, r, rule.epsilon ?? 1e-9);
  }
  if (rule.name === 'gamma') {
    const g = rule.gamma ?? 0.25;
    const k = tf.add(kernel, tf.mul(tf.relu(kernel), g));
    const b = bias ? tf.add(bias, tf.mul(tf.relu(bias), g)) : undefined;
    return propagate(layer, a, linearPart(layer, a, k, b), k, r, rule.epsilon ?? 1e-9);
  }
  const alpha = rule.name === 'zplus' ? 1 : rule.alpha ?? 1;
  const beta = rule.name === 'zplus' ? 0 : rule.beta ?? 0;
  if (Math.abs(alpha - beta - 1) > 1e-9) throw new InvalidInputError('rule', `alpha - beta must be 1, got alpha ${alpha}, beta ${beta}`);
  const kp = tf.relu(kernel), kn = tf.neg(tf.relu(tf.neg(kernel)));
  const ap = tf.relu(a), an = tf.neg(tf.relu(tf.neg(a)));
  // Positive (negative) contributions: a+ W+ + a- W- (a+ W- + a- W+); biases ignored.
  const part = (w1: tf.Tensor, w2: tf.Tensor) => {
    const s = tf.div(r, nonZero(tf.add(linearPart(layer, ap, w1), linearPart(layer, an, w2))));
    return tf.add(tf.mul(ap, linearTranspose(layer, ap, s, w1)), tf.mul(an, linearTranspose(layer, an, s, w2)));
  };
  const pos = part(kp, kn);
  return beta === 0 ? tf.mul(pos, alpha) : tf.sub(tf.mul(pos, alpha), tf.mul(part(kn, kp), beta));
}

/**
 * Relevance of each input of a weight-free node (epsilon rule through the layer); `out` is
 * the node's output from the forward pass.
 */
function nodeRelevance(node: GraphNode, ins: tf.Tensor[], out: tf.Tensor, r: tf.Tensor, eps: number): tf.Tensor[] {
  const cls = node.layer.getClassName();
  if (PASS.test(cls)) return [tf.reshape(r, ins[0].shape)];
  if (!LINEARISH.test(cls)) throw new UnsupportedError('layer', `LRP does not support ${cls} layer '${node.layer.name}'`);
  const f = (...xs: tf.Tensor[]) => node.layer.apply(xs.length === 1 ? xs[0] : xs, { training: false }) as tf.Tensor;
  // grads with dy = s is grad(sum(f * s)), s held constant.
  const grads = tf.grads(f)(ins, tf.div(r, stabilise(out, eps)));
  return ins.map((a, i) => tf.mul(a, grads[i]));
}

/** LRP: relevance of the target output redistributed to the input, layer by layer. */
export class LRP extends Explainer<LrpOptions> {
  readonly name = 'LRP';
  protected override readonly predictsFromOwnForward: boolean = true;
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
        const out = acts.get(node.outputs[0].id)!;
        const cls = node.layer.getClassName();
        const rin = WEIGHTED.test(cls)
          ? [weightedRelevance(node.layer, ins[0], out, r, node.inputs[0].id === inputId ? firstRule : rule)]
          : nodeRelevance(node, ins, out, r, eps);
        node.inputs.forEach((t, i) => rel.set(t.id, rel.has(t.id) ? tf.add(rel.get(t.id)!, rin[i]) : rin[i]));
      }
      return rel.get(inputId)!;
    });
    return ctx.attribution(values);
  }
}

