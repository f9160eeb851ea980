/**
 * Recurrent layers that run a whole sequence as one fused kernel where the active backend has
 * one (the Node 'native' backend registers 'MedlensLstm', src/backend/native-rnn.ts), instead of
 * tfjs-layers' ~60 small ops per time step. They subclass the stock tfjs-layers classes under
 * the same className, so saved model.json files stay stock-compatible, loaded models get the
 * fast path, and every other backend (cpu, wasm, browsers) runs the stock code unchanged.
 * Browser-safe: no Node imports.
 */
import { tf, tfl } from '../backend/tf.js';

/** Kernel name of the fused LSTM forward: inputs {x, kernel, recurrentKernel, bias?}, outputs [y, workspace]. */
export const LSTM_KERNEL = 'MedlensLstm';
/** Kernel name of the fused LSTM backward: inputs {dy, x, kernel, recurrentKernel, workspace}, outputs [dx, dKernel, dRecurrentKernel, dBias?]. */
export const LSTM_GRAD_KERNEL = 'MedlensLstmGrad';

/** Recurrent (gate) activations the fused kernels implement. */
export type FusedRecurrentActivation = 'hardSigmoid' | 'sigmoid';

/** Attributes of the fused LSTM kernels (tfjs-layers' LSTM semantics: Keras gate order i, f, c, o; tanh activation). */
export interface LstmKernelAttrs {
  returnSequences: boolean;
  /** Steps run from the last input to the first; outputs stay in processing order (as tfjs-layers). */
  goBackwards: boolean;
  recurrentActivation: FusedRecurrentActivation;
  hasBias: boolean;
  [key: string]: boolean | string;
}

type StockLstm = ReturnType<typeof tfl.layers.lstm>;
type LstmArgs = Parameters<typeof tfl.layers.lstm>[0];
type Kwargs = Parameters<StockLstm['call']>[1];

/** The parts of tfjs-layers' LSTMCell the fused path reads (its typings only expose RNNCell). */
interface LstmCellParts {
  activation: { getClassName(): string };
  recurrentActivation: { getClassName(): string };
  useBias: boolean;
  dropout: number;
  recurrentDropout: number;
  kernel: tfl.LayerVariable;
  recurrentKernel: tfl.LayerVariable;
  bias: tfl.LayerVariable | null;
}

// tfjs-layers does not export the LSTM class; take it from an instance (named, so that it does
// not consume an auto-generated 'lstm_N' name).
const StockLSTM = Object.getPrototypeOf(tfl.layers.lstm({ units: 1, name: 'medlens_stock_lstm_probe' })).constructor as new (
  args: LstmArgs,
) => StockLstm;

/** True when `name` is registered for the backend tensors currently live on. */
function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** The one input tensor of a layer call, or null for several (initial states passed as inputs). */
function soleInput(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | null {
  if (!Array.isArray(inputs)) return inputs;
  return inputs.length === 1 ? inputs[0] : null;
}

/**
 * tfjs-layers' LSTM, run as one fused kernel when the backend has it and the configuration is
 * one it implements (tanh activation, hardSigmoid or sigmoid recurrent activation, no mask, no
 * initial or returned state, not stateful, no dropout while training); otherwise the stock call.
 */
export class FusedLSTM extends StockLSTM {
  static className = 'LSTM';

  /** Kernel attributes for a fused call of `x`, or null when the stock path must run. */
  fusedAttrs(x: tf.Tensor | null, kwargs: Kwargs): LstmKernelAttrs | null {
    if (!x || x.rank !== 3 || x.dtype !== 'float32' || !hasKernel(LSTM_KERNEL)) return null;
    if (kwargs?.mask != null || kwargs?.initialState != null || this.stateful || this.returnState) return null;
    const cell = this.cell as unknown as LstmCellParts;
    if (cell.activation.getClassName() !== 'tanh') return null;
    const recurrentActivation = cell.recurrentActivation.getClassName();
    if (recurrentActivation !== 'hardSigmoid' && recurrentActivation !== 'sigmoid') return null;
    if (kwargs?.training === true && (cell.dropout > 0 || cell.recurrentDropout > 0)) return null;
    return { returnSequences: this.returnSequences, goBackwards: this.goBackwards, recurrentActivation, hasBias: cell.useBias };
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = soleInput(inputs);
    const attrs = this.fusedAttrs(x, kwargs);
    if (!attrs) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const cell = this.cell as unknown as LstmCellParts;
      const kernelInputs: tf.NamedTensorMap = { x: x!, kernel: cell.kernel.read(), recurrentKernel: cell.recurrentKernel.read() };
      if (attrs.hasBias) kernelInputs.bias = cell.bias!.read();
      const [y] = tf.engine().runKernel(LSTM_KERNEL, kernelInputs, attrs) as tf.Tensor[];
      return y;
    });
  }
}

tf.serialization.registerClass(FusedLSTM as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);

/** An LSTM layer (as `tfl.layers.lstm`) that uses the fused kernel where available. */
export function fusedLstm(args: LstmArgs): StockLstm {
  return new FusedLSTM(args);
}
