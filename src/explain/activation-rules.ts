/**
 * Re-running a layers model with its elementwise activations replaced, for the
 * modified-gradient methods (guided backprop, deconvolution, DeepLift). Activations are found
 * as ReLU / Activation layers and as the `activation` of Dense and Conv layers; the latter
 * are applied with a linear activation and the rule applied after.
 */
import { tf, tfl } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import { applyLayer, graphOf, type ApplyLayer, type Layer } from './graph.js';

/** An activation function as tfjs-layers holds it. */
interface ActivationFn {
  apply(x: tf.Tensor): tf.Tensor;
  getClassName(): string;
}

/** How to apply activation `name` (class name, e.g. 'relu') to `z`; `original` is the unmodified function. */
export type ActivationRule = (name: string, z: tf.Tensor, original: (t: tf.Tensor) => tf.Tensor) => tf.Tensor;

const LINEAR: ActivationFn = { apply: (x) => x, getClassName: () => 'linear' };
const WITH_ACTIVATION = /^(Dense|Conv1D|Conv2D|Conv3D|DepthwiseConv2D|SeparableConv2D|Conv2DTranspose)$/;

/** Called with each layer's output before its activation (the whole output for layers without one). */
export type LinearHook = (layer: Layer, z: tf.Tensor) => tf.Tensor;

/**
 * A layer application that routes every elementwise activation through `rule`, and (when
 * given) every layer's pre-activation output through `onLinear`.
 */
export function applyWithRule(rule: ActivationRule, onLinear: LinearHook = (_l, z) => z): ApplyLayer {
  return (layer: Layer, inputs, callArgs) => {
    const cls = layer.getClassName();
    const holder = layer as unknown as { activation?: ActivationFn };
    if (cls === 'ReLU') return rule('relu', inputs[0], (t) => layer.apply(t) as tf.Tensor);
    if (cls === 'Activation' && holder.activation) {
      const act = holder.activation;
      return rule(act.getClassName(), inputs[0], (t) => act.apply(t));
    }
    const act = holder.activation;
    if (WITH_ACTIVATION.test(cls) && act && act.getClassName() !== 'linear') {
      holder.activation = LINEAR;
      let z: tf.Tensor;
      try {
        z = applyLayer(layer, inputs, callArgs) as tf.Tensor;
      } finally {
        holder.activation = act;
      }
      return rule(act.getClassName(), onLinear(layer, z), (t) => act.apply(t));
    }
    const out = applyLayer(layer, inputs, callArgs);
    return Array.isArray(out) ? out : onLinear(layer, out);
  };
}

/** The model's output with activations replaced by `rule` (call inside tidy). */
export function forwardWithRule(model: tfl.LayersModel, x: tf.Tensor, rule: ActivationRule, onLinear?: LinearHook): tf.Tensor {
  return graphOf(model).forward(x, applyWithRule(rule, onLinear));
}

/** The identity rule: activations applied as usual. */
export const keepActivations: ActivationRule = (_name, z, original) => original(z);

/** Throws unless the model is a LayersModel (modified-gradient methods walk its layers). */
export function requireLayersModel(model: unknown, method: string): tfl.LayersModel {
  if (!(model instanceof tfl.LayersModel)) throw new InvalidInputError('model', `${method} needs a tfjs LayersModel (it modifies how layers back-propagate)`);
  return model;
}
