/**
 * Runs a layers model (sequential or functional) node by node so that an inner layer's
 * output can be read or replaced: the basis of CAMs (gradient with respect to a layer) and of
 * the modified-gradient methods (guided backprop, DeepLift), which swap how a layer is applied.
 */
import { tf, tfl } from '../backend/tf.js';

/** A tfjs-layers layer. */
export type Layer = tfl.LayersModel['layers'][number];
type Symbolic = tfl.SymbolicTensor;

/** One call of a layer inside the model graph. */
export interface GraphNode {
  layer: Layer;
  inputs: Symbolic[];
  outputs: Symbolic[];
  callArgs: Record<string, unknown>;
}

/** How a node is evaluated; the default calls the layer. Overridden to modify gradients. */
export type ApplyLayer = (layer: Layer, inputs: tf.Tensor[], callArgs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** Default layer application (inference mode). */
export const applyLayer: ApplyLayer = (layer, inputs, callArgs) =>
  layer.apply(inputs.length === 1 ? inputs[0] : inputs, { ...callArgs, training: false }) as tf.Tensor | tf.Tensor[];

/** The nodes of a model in topological order (inputs first), input layers excluded. */
export class ModelGraph {
  readonly nodes: GraphNode[] = [];

  constructor(readonly model: tfl.LayersModel) {
    const seen = new Set<unknown>();
    const visit = (t: Symbolic) => {
      const node = t.sourceLayer.inboundNodes[t.nodeIndex];
      if (seen.has(node)) return;
      seen.add(node);
      if (model.inputs.some((i) => i.id === t.id)) return;
      for (const i of node.inputTensors) visit(i);
      this.nodes.push({ layer: node.outboundLayer, inputs: node.inputTensors, outputs: node.outputTensors, callArgs: (node.callArgs ?? {}) as Record<string, unknown> });
    };
    for (const o of model.outputs) visit(o);
  }

  /** Node whose layer has this name. */
  nodeOf(layerName: string): GraphNode | undefined {
    return this.nodes.find((n) => n.layer.name === layerName);
  }

  /** Nodes that depend (transitively) on `start`'s output, in topological order, `start` excluded. */
  downstreamOf(start: GraphNode): GraphNode[] {
    const dirty = new Set(start.outputs.map((t) => t.id));
    const out: GraphNode[] = [];
    for (const n of this.nodes) {
      if (n !== start && n.inputs.some((t) => dirty.has(t.id))) {
        out.push(n);
        for (const t of n.outputs) dirty.add(t.id);
      }
    }
    return out;
  }

  /**
   * Evaluates `nodes` (default all) given known tensor values by symbolic id (the model inputs
   * at least); returns the map with every computed value added. Call inside tf.tidy.
   */
  run(values: Map<number, tf.Tensor>, nodes: GraphNode[] = this.nodes, apply: ApplyLayer = applyLayer): Map<number, tf.Tensor> {
    for (const n of nodes) {
      const ins = n.inputs.map((t) => {
        const v = values.get(t.id);
        if (!v) throw new Error(`graph: no value for ${t.name} feeding ${n.layer.name}`);
        return v;
      });
      const res = apply(n.layer, ins, n.callArgs);
      const outs = Array.isArray(res) ? res : [res];
      n.outputs.forEach((t, i) => values.set(t.id, outs[i]));
    }
    return values;
  }

  /** Model output for `x` with a custom layer application (call inside tf.tidy). */
  forward(x: tf.Tensor, apply: ApplyLayer = applyLayer): tf.Tensor {
    const values = this.run(new Map([[this.model.inputs[0].id, x]]), this.nodes, apply);
    return values.get(this.model.outputs[0].id)!;
  }
}

const graphs = new WeakMap<tfl.LayersModel, ModelGraph>();

/** The graph of a model, built once and cached. */
export function graphOf(model: tfl.LayersModel): ModelGraph {
  let g = graphs.get(model);
  if (!g) graphs.set(model, (g = new ModelGraph(model)));
  return g;
}
