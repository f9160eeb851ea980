/**
 * tfjs-layers' BatchNormalization with a fused training path (browser-safe). In training mode
 * the stock layer composes batch statistics, normalisation and their gradients from ~15
 * full-tensor ops per layer; where the active backend has the fused kernel (the Node 'native'
 * backend, src/backend/native-batchnorm.ts) this layer runs one kernel forward and one backward
 * instead. Everywhere else, and for inference, it is the stock layer. It registers under the
 * stock class name, so saved model.json files stay stock-compatible and loaded models get the
 * fast path too.
 */
import { tf, tfl } from '../backend/tf.js';

/** Fused training-mode kernel: inputs x [..., C], scale [C], optional offset [C]; outputs y, batch mean, biased batch variance. */
export const BATCH_NORM_TRAIN_KERNEL = 'MedlensBatchNormTrain';

type StockLayer = ReturnType<typeof tfl.layers.batchNormalization>;
type LayerArgs = Parameters<typeof tfl.layers.batchNormalization>[0];
type Kwargs = Parameters<StockLayer['call']>[1];

/** The stock class (tfjs-layers does not export it); a named probe takes no auto-name uid. */
const StockBatchNormalization = Object.getPrototypeOf(tfl.layers.batchNormalization({ name: 'medlens_stock_probe' })).constructor as {
  new (args?: LayerArgs): StockLayer;
};

/** The stock layer's private state this layer reads (names as in tfjs-layers 4.22 normalization.js). */
interface StockState {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma?: tfl.LayerVariable;
  beta?: tfl.LayerVariable;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
}

/** Ranks the fused kernel takes (the stock layer trains ranks 2-4 only). */
const MIN_RANK = 2;
const MAX_RANK = 5;

/** Batch normalisation whose training step runs fused where the backend supports it. */
export class FusedBatchNormalization extends StockBatchNormalization {
  static className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const training = (kwargs as { training?: boolean } | undefined)?.training ?? false;
    if (!training || x === undefined || !this.fusedSupported(x)) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const s = this.state();
      const channels = x.shape[x.rank - 1];
      // The kernel always takes a scale (its gradient saves it): ones when the layer has none.
      const kernelInputs: tf.NamedTensorMap = { x, scale: s.scale ? s.gamma!.read() : tf.ones([channels]) };
      if (s.center) kernelInputs.offset = s.beta!.read();
      const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN_KERNEL, kernelInputs, { varianceEpsilon: s.epsilon }) as tf.Tensor[];
      updateMovingAverage(s.movingMean, mean, s.momentum);
      updateMovingAverage(s.movingVariance, variance, s.momentum);
      return y;
    });
  }

  /** True when the fused kernel exists on the active backend and takes this input and config. */
  private fusedSupported(x: tf.Tensor): boolean {
    const s = this.state();
    const axis = s.axis >= 0 ? s.axis : s.axis + x.rank;
    return axis === x.rank - 1 && x.rank >= MIN_RANK && x.rank <= MAX_RANK && x.dtype === 'float32' && x.size > 0
      && tf.getKernel(BATCH_NORM_TRAIN_KERNEL, tf.getBackend()) !== undefined;
  }

  private state(): StockState {
    return this as unknown as StockState;
  }
}

/** The stock layer's moving-average update, op for op: v -= (v - value) * (1 - momentum). */
function updateMovingAverage(variable: tfl.LayerVariable, value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const decay = 1 - momentum;
    const orig = variable.read();
    const updateDelta = tf.mul(tf.sub(orig, value), decay);
    variable.write(tf.sub(orig, updateDelta));
  });
}

tf.serialization.registerClass(FusedBatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
