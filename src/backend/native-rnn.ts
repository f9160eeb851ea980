/**
 * Fused recurrent kernels of the 'native' backend (native/src/rnn.cc): 'MedlensLstm' runs a whole
 * LSTM sequence, 'MedlensLstmGrad' its backward through time. They exist only on this backend;
 * src/models/fused-rnn.ts calls them when registered and falls back to tfjs-layers' per-step ops
 * elsewhere. The forward emits a workspace (gate activations, cell and incoming hidden states per
 * step) that the gradient reads instead of recomputing the sequence.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { tf } from './tf.js';
import { allocOutput, f32Of, recordNativeHit, type NativeAddon } from './native-addon.js';
import { LSTM_GRAD_KERNEL, LSTM_KERNEL, type LstmKernelAttrs } from '../models/fused-rnn.js';

/** Floats per (batch, time) and unit of the LSTM workspace (kLstmWorkspacePerUnit in native/src/rnn.h). */
export const LSTM_WORKSPACE_PER_UNIT = 6;
/** RecurrentActivation codes of native/src/rnn.h. */
const RECURRENT_ACTIVATION = { hardSigmoid: 0, sigmoid: 1 } as const;

type Kernel = tf.KernelConfig['kernelFunc'];

/** The RnnParams array of native/src/rnn.h for input [B, T, D] and `units`. */
export function rnnParams(xShape: number[], units: number, a: LstmKernelAttrs): Int32Array {
  const [b, t, d] = xShape;
  const ract = RECURRENT_ACTIVATION[a.recurrentActivation];
  if (ract === undefined) throw new Error(`${LSTM_KERNEL}: unsupported recurrent activation '${a.recurrentActivation}'`);
  return Int32Array.from([b, t, d, units, a.returnSequences ? 1 : 0, a.goBackwards ? 1 : 0, ract, a.hasBias ? 1 : 0]);
}

/** The float32 data of `t`; these kernels have no cpu fallback, so anything else is an error. */
function f32(backend: MathBackendCPU, t: tf.TensorInfo | undefined, what: string): Float32Array {
  const v = f32Of(backend, t);
  if (!v) throw new Error(`${LSTM_KERNEL}: ${what} must be a float32 tensor`);
  return v;
}

function lstmForward(addon: NativeAddon): Kernel {
  return ({ inputs, attrs, backend }) => {
    const be = backend as MathBackendCPU;
    const a = attrs as unknown as LstmKernelAttrs;
    const { x, kernel, recurrentKernel, bias } = inputs;
    const [b, t] = x!.shape;
    const units = recurrentKernel!.shape[0];
    const y = allocOutput(be, a.returnSequences ? [b, t, units] : [b, units]);
    const ws = allocOutput(be, [b, t, LSTM_WORKSPACE_PER_UNIT * units]);
    addon.lstmForward(rnnParams(x!.shape, units, a), f32(be, x, 'x'), f32(be, kernel, 'kernel'), f32(be, recurrentKernel, 'recurrentKernel'),
      a.hasBias ? f32(be, bias, 'bias') : null, y.values, ws.values);
    recordNativeHit(LSTM_KERNEL);
    return [y.info, ws.info];
  };
}

function lstmBackward(addon: NativeAddon): Kernel {
  return ({ inputs, attrs, backend }) => {
    const be = backend as MathBackendCPU;
    const a = attrs as unknown as LstmKernelAttrs;
    const { dy, x, kernel, recurrentKernel, ws } = inputs;
    const units = recurrentKernel!.shape[0];
    const dx = allocOutput(be, x!.shape), dk = allocOutput(be, kernel!.shape), dr = allocOutput(be, recurrentKernel!.shape);
    const db = a.hasBias ? allocOutput(be, [4 * units]) : undefined;
    addon.lstmBackward(rnnParams(x!.shape, units, a), f32(be, dy, 'dy'), f32(be, x, 'x'), f32(be, kernel, 'kernel'),
      f32(be, recurrentKernel, 'recurrentKernel'), f32(be, ws, 'workspace'), dx.values, dk.values, dr.values, db?.values ?? null);
    recordNativeHit(LSTM_GRAD_KERNEL);
    return db ? [dx.info, dk.info, dr.info, db.info] : [dx.info, dk.info, dr.info];
  };
}

/**
 * Gradient of 'MedlensLstm'. One backward kernel yields every gradient; it runs once, when tfjs
 * asks for this node's gradients (in its backward scope, so the gradients nobody reads are
 * disposed with it), and each thunk hands out its part. Running it inside the first thunk
 * instead would have that thunk's tidy dispose the other parts.
 */
const lstmGradConfig: tf.GradConfig = {
  kernelName: LSTM_KERNEL,
  inputsToSave: ['x', 'kernel', 'recurrentKernel'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy] = dys as tf.Tensor[];
    const [x, kernel, recurrentKernel, ws] = saved;
    const grads = tf.engine().runKernel(LSTM_GRAD_KERNEL, { dy, x, kernel, recurrentKernel, ws }, attrs) as tf.Tensor[];
    const thunks: Record<string, () => tf.Tensor> = { x: () => grads[0], kernel: () => grads[1], recurrentKernel: () => grads[2] };
    if ((attrs as unknown as LstmKernelAttrs).hasBias) thunks.bias = () => grads[3];
    return thunks;
  },
};

let gradientRegistered = false;

/** Kernel configs of the fused recurrent layers (registers their gradients once). */
export function nativeRnnKernels(addon: NativeAddon): tf.KernelConfig[] {
  if (!gradientRegistered) {
    tf.registerGradient(lstmGradConfig);
    gradientRegistered = true;
  }
  return [
    { kernelName: LSTM_KERNEL, backendName: 'native', kernelFunc: lstmForward(addon) },
    { kernelName: LSTM_GRAD_KERNEL, backendName: 'native', kernelFunc: lstmBackward(addon) },
  ];
}
