/**
 * Attention rollout (Abnar & Zuidema 2020) and gradient-weighted rollout (Chefer et al. 2021)
 * for ViTs. Attention layers are found by their protocol (`attentionProbs(x)` and
 * `attend(x, probs)`, as models/vit-layers.ts' MultiHeadSelfAttention offers), so no model
 * copy is needed; the token grid comes from the model config. The class token's row of the
 * rolled-out matrix, reshaped to the patch grid and upsampled, is the map.
 */
import { tf, tfl } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import { tokenGridOf } from '../models/vit.js';
import type { Attribution } from './attribution.js';
import { Explainer, targetScores, type ExplainContext } from './base.js';
import { requireLayersModel } from './activation-rules.js';
import { applyLayer, graphOf, type ApplyLayer, type Layer } from './graph.js';
import { upsample } from './spatial.js';
import type { CommonOptions } from './types.js';

/** A self-attention layer that exposes its attention probabilities. */
interface AttentionLayer {
  attentionProbs(x: tf.Tensor): tf.Tensor;
  attend(x: tf.Tensor, probs: tf.Tensor): tf.Tensor;
}

const isAttention = (l: Layer): boolean => typeof (l as unknown as AttentionLayer).attentionProbs === 'function' && typeof (l as unknown as AttentionLayer).attend === 'function';

/** Rollout options. */
export interface RolloutOptions extends CommonOptions {
  /** How heads are fused: mean (default), max or min. */
  headFusion?: 'mean' | 'max' | 'min';
  /** Upsample to the input size (default true). */
  upsample?: boolean;
}

/** Runs the model recording each attention layer's probabilities (or using `given` ones). */
function attentionApply(record: tf.Tensor[], given?: tf.Tensor[]): ApplyLayer {
  return (layer, inputs, callArgs) => {
    if (!isAttention(layer)) return applyLayer(layer, inputs, callArgs);
    const att = layer as unknown as AttentionLayer;
    const probs = given ? given[record.length] : att.attentionProbs(inputs[0]);
    record.push(probs);
    return att.attend(inputs[0], probs);
  };
}

/** Fuses heads of [n, heads, T, T] into [n, T, T]. */
function fuseHeads(a: tf.Tensor, mode: RolloutOptions['headFusion']): tf.Tensor {
  if (mode === 'max') return tf.max(a, 1);
  if (mode === 'min') return tf.min(a, 1);
  if (mode === undefined || mode === 'mean') return tf.mean(a, 1);
  throw new InvalidInputError('headFusion', `unknown mode '${mode}' (mean, max, min)`);
}

/** Base of the two rollouts: per-block fused matrices -> rolled-out relevance -> grid map. */
abstract class RolloutBase extends Explainer<RolloutOptions> {
  /** Per-block [n, T, T] matrices to roll out, and the rule combining them (inside tidy). */
  protected abstract rollout(ctx: ExplainContext, model: tfl.LayersModel, x: tf.Tensor, samples: Int32Array, o: RolloutOptions): tf.Tensor;

  protected async run(ctx: ExplainContext, o: RolloutOptions): Promise<Attribution> {
    const model = requireLayersModel(this.model, this.name);
    const grid = tokenGridOf(model);
    if (!grid || ctx.rank !== 2) throw new InvalidInputError('model', `${this.name} needs an image ViT whose layers carry the token grid`);
    if (!graphOf(model).nodes.some((n) => isAttention(n.layer))) throw new InvalidInputError('model', `${model.name} has no self-attention layers`);
    const spatial = ctx.input.shape.slice(1, -1);
    const values = await ctx.mapInputChunks((x, samples) => {
      const r = this.rollout(ctx, model, x, samples, o); // [n, T, T]
      const [rows, t] = r.shape as number[];
      const row = grid.hasClassToken ? tf.slice(r, [0, 0, 1], [rows, 1, t - 1]) : tf.mean(r, 1, true);
      const map = tf.reshape(row, [rows, grid.gridH, grid.gridW, 1]);
      return o.upsample !== false ? upsample(map, spatial) : map;
    });
    const up = o.upsample !== false;
    return ctx.attribution(values, {
      shape: [ctx.n, ...(up ? spatial : [grid.gridH, grid.gridW]), 1],
      grid: { layer: 'attention', shape: [grid.gridH, grid.gridW], upsampling: up ? 'bilinear' : 'none' },
    });
  }
}

/** Attention rollout: product over blocks of (A + I) / 2, rows renormalised. Class-agnostic. */
export class AttentionRollout extends RolloutBase {
  readonly name = 'AttentionRollout';
  protected rollout(_ctx: ExplainContext, model: tfl.LayersModel, x: tf.Tensor, _s: Int32Array, o: RolloutOptions): tf.Tensor {
    const probs: tf.Tensor[] = [];
    graphOf(model).forward(x, attentionApply(probs));
    let r: tf.Tensor | undefined;
    for (const p of probs) {
      const a = fuseHeads(p, o.headFusion);
      const eye = tf.eye(a.shape[1] as number);
      const ai = tf.div(tf.add(a, eye), 2);
      const norm = tf.div(ai, tf.sum(ai, -1, true));
      r = r ? tf.matMul(norm, r) : norm;
    }
    return r!;
  }
}

/**
 * Gradient-weighted rollout (Chefer et al. 2021, rule 6 for ViT): per block the head mean of
 * ReLU(grad * A), accumulated as R <- R + A_bar R from R = I. Class-specific.
 */
export class GradientRollout extends RolloutBase {
  readonly name = 'GradientRollout';
  protected rollout(ctx: ExplainContext, model: tfl.LayersModel, x: tf.Tensor, samples: Int32Array, o: RolloutOptions): tf.Tensor {
    const probs: tf.Tensor[] = [];
    const graph = graphOf(model);
    graph.forward(x, attentionApply(probs));
    const f = (...given: tf.Tensor[]) => tf.sum(targetScores(graph.forward(x, attentionApply([], given)), ctx.target, samples));
    const grads = tf.grads(f)(probs);
    const t = probs[0].shape[2] as number;
    let r: tf.Tensor = tf.broadcastTo(tf.eye(t), [x.shape[0], t, t]);
    probs.forEach((p, i) => {
      const a = fuseHeads(tf.relu(tf.mul(grads[i], p)), o.headFusion);
      r = tf.add(r, tf.matMul(a, r));
    });
    return r;
  }
}
