/**
 * A model split at a named layer: `forward` gives the layer's activation (and every other
 * intermediate value), `tail` re-applies only the layers downstream of it, so gradients and
 * ablations with respect to the activation are cheap. Built once per (model, layer).
 */
import { tf, tfl } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import { tokenGridOf } from '../models/vit.js';
import type { TokenGrid } from '../models/vit-layers.js';
import { graphOf, type GraphNode, type ModelGraph } from './graph.js';
import { pickRows } from './gradient-rows.js';

/** Values of one forward pass, by symbolic tensor id. */
export type GraphValues = Map<number, tf.Tensor>;

/**
 * Token grid of a layer's output when it is a ViT token sequence [N, tokens, D] of an image
 * model whose layers carry the grid in their config (see models/vit-layers.ts).
 */
export function tokenGridAt(model: tfl.LayersModel, node: GraphNode): TokenGrid | undefined {
  const shape = node.outputs[0].shape;
  if (node.outputs.length !== 1 || model.inputs[0].shape.length !== 4 || shape.length !== 3) return undefined;
  const grid = tokenGridOf(model);
  if (!grid) return undefined;
  return shape[1] === grid.gridH * grid.gridW + (grid.hasClassToken ? 1 : 0) ? grid : undefined;
}

/**
 * Layers usable for a CAM on this model: those whose output keeps the input's spatial rank,
 * and ViT token layers whose token grid is known from the model config.
 */
export function spatialLayerNames(model: tfl.LayersModel): string[] {
  const rank = model.inputs[0].shape.length;
  return graphOf(model)
    .nodes.filter((n) => (n.outputs.length === 1 && n.outputs[0].shape.length === rank && rank >= 3) || tokenGridAt(model, n) !== undefined)
    .map((n) => n.layer.name);
}

/**
 * Default CAM layer: the last convolution layer (class name containing 'Conv') with a spatial
 * output, else the last spatial layer (e.g. an ECG LSTM's sequence output).
 */
export function defaultCamLayer(model: tfl.LayersModel): string {
  const valid = spatialLayerNames(model);
  const nodes = graphOf(model).nodes.filter((n) => valid.includes(n.layer.name));
  const conv = nodes.filter((n) => /conv/i.test(n.layer.getClassName()));
  const pick = conv.length > 0 ? conv : nodes;
  if (pick.length === 0) throw new InvalidInputError('layer', `model '${model.name}' has no layer with a spatial output for a CAM`);
  return pick[pick.length - 1].layer.name;
}

/** The split of a model at one layer. */
export class LayerSplit {
  readonly graph: ModelGraph;
  readonly node: GraphNode;
  /** Token grid when the layer outputs ViT tokens (activations are then shown as [N, gridH, gridW, D]). */
  readonly tokenGrid?: TokenGrid;
  private readonly upstream: GraphNode[];
  private readonly downstream: GraphNode[];

  constructor(readonly model: tfl.LayersModel, readonly layerName: string) {
    this.graph = graphOf(model);
    const valid = spatialLayerNames(model);
    const node = this.graph.nodeOf(layerName);
    if (!node || !valid.includes(layerName)) {
      throw new InvalidInputError('layer', `'${layerName}' is not a layer with a spatial output in model '${model.name}'; valid layers: ${valid.join(', ')}`);
    }
    this.node = node;
    this.tokenGrid = tokenGridAt(model, node);
    this.downstream = this.graph.downstreamOf(node);
    const down = new Set(this.downstream);
    this.upstream = this.graph.nodes.filter((n) => !down.has(n));
  }

  /**
   * Activation at the layer ([N, ...grid, K]; token layers reshaped to [N, gridH, gridW, D]
   * without the class token) and all values of the pass (call inside tidy).
   */
  forward(x: tf.Tensor): { activation: tf.Tensor; values: GraphValues } {
    const values = this.graph.run(new Map([[this.model.inputs[0].id, x]]), this.upstream);
    const raw = values.get(this.node.outputs[0].id)!;
    const g = this.tokenGrid;
    if (!g) return { activation: raw, values };
    const [n, t, d] = raw.shape;
    const patches = g.hasClassToken ? tf.slice(raw, [0, 1, 0], [n, t - 1, d]) : raw;
    return { activation: tf.reshape(patches, [n, g.gridH, g.gridW, d]), values };
  }

  /** Inverse of the token reshape: grid activation back to the layer's token layout. */
  private toLayerLayout(activation: tf.Tensor, values: GraphValues, rowsOf?: Int32Array): tf.Tensor {
    const g = this.tokenGrid;
    if (!g) return activation;
    const [n, , , d] = activation.shape;
    const tokens = tf.reshape(activation, [n, g.gridH * g.gridW, d]);
    if (!g.hasClassToken) return tokens;
    const raw = values.get(this.node.outputs[0].id)!;
    const cls = tf.slice(rowsOf ? pickRows(raw, rowsOf) : raw, [0, 0, 0], [n, 1, d]);
    return tf.concat([cls, tokens], 1);
  }

  /**
   * Model output when the layer's activation is replaced by `activation`. `rowsOf[r]` maps
   * row r of `activation` to the row of `values` holding its other inputs (skip connections);
   * omit when rows correspond one to one. Call inside tidy.
   */
  tail(activation: tf.Tensor, values: GraphValues, rowsOf?: Int32Array): tf.Tensor {
    const local: GraphValues = new Map();
    for (const n of this.downstream) {
      for (const t of n.inputs) {
        if (!local.has(t.id) && values.has(t.id) && t.id !== this.node.outputs[0].id) {
          const v = values.get(t.id)!;
          local.set(t.id, rowsOf ? pickRows(v, rowsOf) : v);
        }
      }
    }
    local.set(this.node.outputs[0].id, this.toLayerLayout(activation, values, rowsOf));
    this.graph.run(local, this.downstream);
    return local.get(this.model.outputs[0].id)!;
  }
}

const splits = new WeakMap<tfl.LayersModel, Map<string, LayerSplit>>();

/** The split of `model` at `layerName`, cached per (model, layer). */
export function splitAt(model: tfl.LayersModel, layerName: string): LayerSplit {
  let m = splits.get(model);
  if (!m) splits.set(model, (m = new Map()));
  let s = m.get(layerName);
  if (!s) m.set(layerName, (s = new LayerSplit(model, layerName)));
  return s;
}
