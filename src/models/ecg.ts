/**
 * ECG models, input [T, C] (samples x leads):
 * - `ecg-lstm` / `ecg-gru`: `depth` recurrent layers `lstm1..lstmN` (`gru1..`) of 32*width
 *   units, all but the last returning sequences, then `fc` (dense ReLU, 32*width) and `logits`.
 * - `ecg-cnn`: `depth` blocks `blockK_conv` (Conv1D k=7, 16*2^(K-1)*width filters) ->
 *   `blockK_bn` -> `blockK_relu` -> `blockK_pool` (max-pool 2), then `gap` (global average)
 *   and `logits`. 1D Grad-CAM uses `blockN_relu` of the last block.
 */
import { tfl } from '../backend/tf.js';
import * as fast from './fast-layers.js';
import type { BuildOptions } from './types.js';
import { apply, batchNorm, checkInputShape, checkMinSize, logitsLayer, scaled, type Sym } from './blocks.js';
import { SeededInit } from './init.js';
import { fusedGru, fusedLstm } from './fused-rnn.js';

/** Builds `ecg-lstm` or `ecg-gru`. */
export function buildEcgRnn(cell: 'lstm' | 'gru', opts: BuildOptions): tfl.LayersModel {
  checkInputShape(`ecg-${cell}`, opts.inputShape, [1]);
  const init = new SeededInit(opts.seed);
  const width = opts.width ?? 1;
  const depth = opts.depth ?? 2;
  const units = scaled(32, width);
  const input = tfl.input({ shape: opts.inputShape, name: 'input' });
  let x: Sym = input;
  for (let i = 1; i <= depth; i++) {
    const cfg = {
      units,
      returnSequences: i < depth,
      kernelInitializer: init.dense(),
      recurrentInitializer: init.dense(),
      name: `${cell}${i}`,
    };
    // Forget-gate bias 1 (Keras' unit_forget_bias; tfjs defaults to 0): with 0 the cell state
    // decays within a few steps and the ECG LSTM did not learn at all (loss stuck at ln K).
    x = apply(cell === 'lstm' ? fusedLstm({ ...cfg, unitForgetBias: true }) : fusedGru(cfg), x);
  }
  if (opts.dropout) x = apply(tfl.layers.dropout({ rate: opts.dropout, seed: init.seed(), name: 'dropout' }), x);
  x = apply(fast.dense({ units, activation: 'relu', kernelInitializer: init.dense(), name: 'fc' }), x);
  return tfl.model({ inputs: input, outputs: logitsLayer(x, opts.numClasses, init), name: `ecg-${cell}` });
}

/** Builds `ecg-cnn`. */
export function buildEcgCnn(opts: BuildOptions): tfl.LayersModel {
  checkInputShape('ecg-cnn', opts.inputShape, [1]);
  const depth = opts.depth ?? 4;
  checkMinSize('ecg-cnn', opts.inputShape, 2 ** depth, `${depth} pooling steps of 2`);
  const init = new SeededInit(opts.seed);
  const width = opts.width ?? 1;
  const input = tfl.input({ shape: opts.inputShape, name: 'input' });
  let x: Sym = input;
  for (let b = 1; b <= depth; b++) {
    x = apply(
      tfl.layers.conv1d({
        filters: scaled(16 * 2 ** (b - 1), width),
        kernelSize: 7,
        padding: 'same',
        useBias: false,
        kernelInitializer: init.conv(),
        name: `block${b}_conv`,
      }),
      x,
    );
    x = apply(batchNorm(`block${b}_bn`), x);
    x = apply(tfl.layers.reLU({ name: `block${b}_relu` }), x);
    x = apply(tfl.layers.maxPooling1d({ poolSize: 2, strides: 2, name: `block${b}_pool` }), x);
  }
  x = apply(tfl.layers.globalAveragePooling1d({ name: 'gap' }), x);
  if (opts.dropout) x = apply(tfl.layers.dropout({ rate: opts.dropout, seed: init.seed(), name: 'dropout' }), x);
  return tfl.model({ inputs: input, outputs: logitsLayer(x, opts.numClasses, init), name: 'ecg-cnn' });
}
