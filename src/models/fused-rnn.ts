/**
 * Recurrent layers that run a whole sequence as one fused kernel where the active backend has
 * one (the Node 'native' backend registers 'MedlensLstm' and 'MedlensGru',
 * src/backend/native-rnn.ts) instead of tfjs-layers' ~60 small ops per time step. They subclass the stock tfjs-layers classes under
 * the same className, so saved model.json files stay stock-compatible, loaded models get the
 * fast path, and every other backend (cpu, wasm, browsers) runs the stock code unchanged.
 * Browser-safe: no Node imports.
 */
import { tf, tfl } from '../backend/tf.js';

/** Kernel name of the fused LSTM forward: inputs {x, kernel, recurrentKernel, bias?}, outputs [y, workspace]. */
export const LSTM_KERNEL = 'MedlensLstm';
/** Kernel name of the fused LSTM backward: inputs {dy, x, kernel, recurrentKernel, workspace}, outputs [dx, dKernel, dRecurrentKernel, dBias?]. */
export const LSTM_GRAD_KERNEL = 'MedlensLstmGrad';
/** The GRU's kernels (tfjs-layers' GRU: gates z, r, h; resetAfter false), with the LSTM's inputs and outputs. */
export const GRU_KERNEL = 'MedlensGru';
export const GRU_GRAD_KERNEL = 'MedlensGruGrad';

/** Recurrent (gate) activations the fused kernels implement. */
export type FusedRecurrentActivation = 'hardSigmoid' | 'sigmoid';

/** Attributes of the fused recurrent kernels (tfjs-layers semantics; tanh activation). */
export interface RnnKernelAttrs {
  returnSequences: boolean;
  /** Steps run from the last input to the first; outputs stay in processing order (as tfjs-layers). */
  goBackwards: boolean;
  recurrentActivation: FusedRecurrentActivation;
  hasBias: boolean;
  [key: string]: boolean | string;
}

type StockLstm = ReturnType<typeof tfl.layers.lstm>;
type StockGru = ReturnType<typeof tfl.layers.gru>;
type LstmArgs = Parameters<typeof tfl.layers.lstm>[0];
type GruArgs = Parameters<typeof tfl.layers.gru>[0];
type Kwargs = Parameters<StockLstm['call']>[1];

/** The parts of tfjs-layers' LSTMCell and GRUCell the fused path reads (their typings only expose RNNCell). */
interface CellParts {
  activation: { getClassName(): string };
  recurrentActivation: { getClassName(): string };
  useBias: boolean;
  dropout: number;
  recurrentDropout: number;
  kernel: tfl.LayerVariable;
  recurrentKernel: tfl.LayerVariable;
  bias: tfl.LayerVariable | null;
}

// tfjs-layers does not export these classes; take them from instances (named, so that they do
// not consume auto-generated 'lstm_N' / 'gru_N' names).
const StockLSTM = Object.getPrototypeOf(tfl.layers.lstm({ units: 1, name: 'medlens_stock_lstm_probe' })).constructor as new (
  args: LstmArgs,
) => StockLstm;
const StockGRU = Object.getPrototypeOf(tfl.layers.gru({ units: 1, name: 'medlens_stock_gru_probe' })).constructor as new (
  args: GruArgs,
) => StockGru;

/** The one input tensor of a layer call, or null for several (initial states passed as inputs). */
function soleInput(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | null {
  if (!Array.isArray(inputs)) return inputs;
  return inputs.length === 1 ? inputs[0] : null;
}

/**
 * Kernel attributes for a fused call of `layer` on `inputs`, or null when the stock path must run:
 * the backend lacks `kernel`, or the configuration is one the kernels do not implement (mask,
 * initial or returned state, stateful, non-tanh activation, other recurrent activations,
 * dropout while training).
 */
export function fusedRnnAttrs(layer: StockLstm | StockGru, kernel: string, inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): RnnKernelAttrs | null {
  const x = soleInput(inputs);
  if (!x || x.rank !== 3 || x.dtype !== 'float32' || tf.getKernel(kernel, tf.getBackend()) === undefined) return null;
  if (kwargs?.mask != null || kwargs?.initialState != null || layer.stateful || layer.returnState) return null;
  const cell = layer.cell as unknown as CellParts;
  if (cell.activation.getClassName() !== 'tanh') return null;
  const recurrentActivation = cell.recurrentActivation.getClassName();
  if (recurrentActivation !== 'hardSigmoid' && recurrentActivation !== 'sigmoid') return null;
  if (kwargs?.training === true && (cell.dropout > 0 || cell.recurrentDropout > 0)) return null;
  return { returnSequences: layer.returnSequences, goBackwards: layer.goBackwards, recurrentActivation, hasBias: cell.useBias };
}

/** Runs the fused `kernel` of `layer` on `x`: the layer's output. */
function runFused(layer: StockLstm | StockGru, kernel: string, x: tf.Tensor, attrs: RnnKernelAttrs): tf.Tensor {
  return tf.tidy(() => {
    const cell = layer.cell as unknown as CellParts;
    const inputs: tf.NamedTensorMap = { x, kernel: cell.kernel.read(), recurrentKernel: cell.recurrentKernel.read() };
    if (attrs.hasBias) inputs.bias = cell.bias!.read();
    const [y] = tf.engine().runKernel(kernel, inputs, attrs) as tf.Tensor[];
    return y;
  });
}

/** tfjs-layers' LSTM, run as one fused kernel where available (see `fusedRnnAttrs`), else the stock call. */
export class FusedLSTM extends StockLSTM {
  static className = 'LSTM';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const attrs = fusedRnnAttrs(this, LSTM_KERNEL, inputs, kwargs);
    return attrs ? runFused(this, LSTM_KERNEL, soleInput(inputs)!, attrs) : super.call(inputs, kwargs);
  }
}

/** tfjs-layers' GRU, run as one fused kernel where available (see `fusedRnnAttrs`), else the stock call. */
export class FusedGRU extends StockGRU {
  static className = 'GRU';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const attrs = fusedRnnAttrs(this, GRU_KERNEL, inputs, kwargs);
    return attrs ? runFused(this, GRU_KERNEL, soleInput(inputs)!, attrs) : super.call(inputs, kwargs);
  }
}

for (const cls of [FusedLSTM, FusedGRU]) {
  tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
}

/** An LSTM layer (as `tfl.layers.lstm`) that uses the fused kernel where available. */
export function fusedLstm(args: LstmArgs): StockLstm {
  return new FusedLSTM(args);
}

/** A GRU layer (as `tfl.layers.gru`) that uses the fused kernel where available. */
export function fusedGru(args: GruArgs): StockGru {
  return new FusedGRU(args);
}
