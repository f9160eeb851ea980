/**
 * Conv2D and Dense layers that skip unwanted weight gradients. The stock tfjs-layers classes
 * call tf.fused.conv2d / tf.fused.matMul; with a linear activation (or any activation while a
 * gradient is being recorded) those run as a tf.customGrad whose gradient eagerly computes the
 * filter and bias gradients too, so an input gradient (what every gradient explainer pays)
 * also paid a Conv2DBackpropFilter per conv (~20% of a resnet18 input gradient, measured).
 * Unfused ops (tf.conv2d, tf.matMul, tf.add) have one lazy gradient per input: tfjs only runs
 * those on the path from the differentiated tensors. So while a gradient is recorded these
 * layers use unfused ops; otherwise (inference) the stock fused path runs unchanged.
 *
 * Each class keeps the stock className and is registered over the stock entry: saved
 * model.json stays stock-compatible and loaded models get the fast gradient too. Conv1D,
 * Conv3D and DepthwiseConv2D need no subclass: tfjs-layers already calls unfused ops there.
 * Browser-safe.
 */
import { tf, tfl } from '../backend/tf.js';

type Kwargs = Parameters<tfl.layers.Layer['call']>[1];
type ConvArgs = Parameters<typeof tfl.layers.conv2d>[0];
type DenseArgs = Parameters<typeof tfl.layers.dense>[0];

/** The fields of tfjs-layers' Conv/Dense that the gradient path reads (protected/private there). */
interface WeightedInternals {
  kernel: tfl.LayerVariable;
  bias: tfl.LayerVariable | null;
  activation: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string } | null;
}
interface ConvInternals extends WeightedInternals {
  rank: number;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number[] | number;
}
interface DenseInternals extends WeightedInternals {
  units: number;
}

/** The stock class behind a layer factory (probed with an explicit name, so no auto-name counter moves). */
function stockClass<A>(make: () => tfl.layers.Layer): new (args: A) => tfl.layers.Layer {
  return Object.getPrototypeOf(make()).constructor as new (args: A) => tfl.layers.Layer;
}

const StockConv2D = stockClass<ConvArgs>(() => tfl.layers.conv2d({ filters: 1, kernelSize: 1, name: 'medlens_probe_conv2d' }));
const StockDense = stockClass<DenseArgs>(() => tfl.layers.dense({ units: 1, name: 'medlens_probe_dense' }));

/** True while a tf.grad / optimizer tape records the ops that run. */
export function recordingGradient(): boolean {
  return tf.engine().state.gradientDepth > 0;
}

function one(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/** Adds the bias and applies the activation with unfused ops. */
function biasActivation(y: tf.Tensor, layer: WeightedInternals): tf.Tensor {
  let out = layer.bias ? tf.add(y, layer.bias.read()) : y;
  if (layer.activation) out = layer.activation.apply(out);
  return out;
}

/** tfjs-layers Conv2D whose gradient wrt the input costs no filter or bias gradient. */
export class FastConv2D extends StockConv2D {
  static className = 'Conv2D';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const c = this as unknown as ConvInternals;
    const dilated = (typeof c.dilationRate === 'number' ? [c.dilationRate] : c.dilationRate).some((d) => d !== 1);
    // tfjs has no conv2d gradient for dilations > 1 either way; causal/NCHW stay stock.
    if (!recordingGradient() || dilated || c.dataFormat !== 'channelsLast' || (c.padding !== 'same' && c.padding !== 'valid')) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const x = one(inputs) as tf.Tensor4D;
      const y = tf.conv2d(x, c.kernel.read() as tf.Tensor4D, c.strides as [number, number], c.padding as 'same' | 'valid', 'NHWC');
      return biasActivation(y, c);
    });
  }
}

/** tfjs-layers Dense whose gradient wrt the input costs no kernel or bias gradient. */
export class FastDense extends StockDense {
  static className = 'Dense';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    if (!recordingGradient()) return super.call(inputs, kwargs);
    const d = this as unknown as DenseInternals;
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const x = one(inputs);
      const k = d.kernel.read();
      const y = x.rank === 2
        ? tf.matMul(x, k)
        : tf.reshape(tf.matMul(tf.reshape(x, [-1, x.shape[x.rank - 1]]), k), [...x.shape.slice(0, -1), d.units]);
      return biasActivation(y, d);
    });
  }
}

/** A Conv2D layer of the fast class (same args as tfl.layers.conv2d). */
export function conv2d(args: ConvArgs): tfl.layers.Layer {
  return new FastConv2D(args);
}

/** A Dense layer of the fast class (same args as tfl.layers.dense). */
export function dense(args: DenseArgs): tfl.layers.Layer {
  return new FastDense(args);
}

for (const cls of [FastConv2D, FastDense]) {
  tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
}
