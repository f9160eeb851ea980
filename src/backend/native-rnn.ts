/**
 * Fused recurrent kernels of the 'native' backend (native/src/rnn.cc): 'MedlensLstm' and
 * 'MedlensGru' run a whole sequence, their '...Grad' kernels the backward pass through time.
 * They exist only on this backend; src/models/fused-rnn.ts calls them when registered and falls
 * back to tfjs-layers' per-step ops elsewhere. A forward emits a workspace (gate activations and
 * states per step) that the gradient reads instead of recomputing the sequence.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { tf } from './tf.js';
import { allocOutput, f32Of, recordNativeHit, type NativeAddon } from './native-addon.js';
import { GRU_GRAD_KERNEL, GRU_KERNEL, LSTM_GRAD_KERNEL, LSTM_KERNEL, type RnnKernelAttrs } from '../models/fused-rnn.js';

/** RecurrentActivation codes of native/src/rnn.h. */
const RECURRENT_ACTIVATION = { hardSigmoid: 0, sigmoid: 1 } as const;

type Kernel = tf.KernelConfig['kernelFunc'];
type Forward = NativeAddon['lstmForward'];
type Backward = NativeAddon['lstmBackward'];

/** One recurrent cell type: its kernels, gate count and workspace size (native/src/rnn.h). */
interface CellSpec {
  kernel: string;
  gradKernel: string;
  gates: number;
  workspacePerUnit: number;
  forward: (addon: NativeAddon) => Forward;
  backward: (addon: NativeAddon) => Backward;
}

const CELLS: CellSpec[] = [
  { kernel: LSTM_KERNEL, gradKernel: LSTM_GRAD_KERNEL, gates: 4, workspacePerUnit: 6, forward: (a) => a.lstmForward, backward: (a) => a.lstmBackward },
  { kernel: GRU_KERNEL, gradKernel: GRU_GRAD_KERNEL, gates: 3, workspacePerUnit: 5, forward: (a) => a.gruForward, backward: (a) => a.gruBackward },
];

/** The RnnParams array of native/src/rnn.h for input [B, T, D] and `units`. */
export function rnnParams(xShape: number[], units: number, a: RnnKernelAttrs): Int32Array {
  const [b, t, d] = xShape;
  const ract = RECURRENT_ACTIVATION[a.recurrentActivation];
  if (ract === undefined) throw new Error(`unsupported recurrent activation '${a.recurrentActivation}'`);
  return Int32Array.from([b, t, d, units, a.returnSequences ? 1 : 0, a.goBackwards ? 1 : 0, ract, a.hasBias ? 1 : 0]);
}

/** The float32 data of `t`; these kernels have no cpu fallback, so anything else is an error. */
function f32(backend: MathBackendCPU, t: tf.TensorInfo | undefined, what: string): Float32Array {
  const v = f32Of(backend, t);
  if (!v) throw new Error(`fused recurrent kernel: ${what} must be a float32 tensor`);
  return v;
}

function forwardKernel(cell: CellSpec, addon: NativeAddon): Kernel {
  const run = cell.forward(addon);
  return ({ inputs, attrs, backend }) => {
    const be = backend as MathBackendCPU;
    const a = attrs as unknown as RnnKernelAttrs;
    const { x, kernel, recurrentKernel, bias } = inputs;
    const [b, t] = x!.shape;
    const units = recurrentKernel!.shape[0];
    const y = allocOutput(be, a.returnSequences ? [b, t, units] : [b, units]);
    const ws = allocOutput(be, [b, t, cell.workspacePerUnit * units]);
    run(rnnParams(x!.shape, units, a), f32(be, x, 'x'), f32(be, kernel, 'kernel'), f32(be, recurrentKernel, 'recurrentKernel'),
      a.hasBias ? f32(be, bias, 'bias') : null, y.values, ws.values);
    recordNativeHit(cell.kernel);
    return [y.info, ws.info];
  };
}

function backwardKernel(cell: CellSpec, addon: NativeAddon): Kernel {
  const run = cell.backward(addon);
  return ({ inputs, attrs, backend }) => {
    const be = backend as MathBackendCPU;
    const a = attrs as unknown as RnnKernelAttrs;
    const { dy, x, kernel, recurrentKernel, ws } = inputs;
    const units = recurrentKernel!.shape[0];
    const dx = allocOutput(be, x!.shape), dk = allocOutput(be, kernel!.shape), dr = allocOutput(be, recurrentKernel!.shape);
    const db = a.hasBias ? allocOutput(be, [cell.gates * units]) : undefined;
    run(rnnParams(x!.shape, units, a), f32(be, dy, 'dy'), f32(be, x, 'x'), f32(be, kernel, 'kernel'), f32(be, recurrentKernel, 'recurrentKernel'),
      f32(be, ws, 'workspace'), dx.values, dk.values, dr.values, db?.values ?? null);
    recordNativeHit(cell.gradKernel);
    return db ? [dx.info, dk.info, dr.info, db.info] : [dx.info, dk.info, dr.info];
  };
}

/**
 * Gradient of a fused recurrent kernel. One backward kernel yields every gradient; it runs once,
 * when tfjs asks for this node's gradients (in its backward scope, so parts nobody reads are
 * disposed with it), and each thunk hands out its part. Running it inside the first thunk
 * instead would have that thunk's tidy dispose the other parts.
 */
function gradConfig(cell: CellSpec): tf.GradConfig {
  return {
    kernelName: cell.kernel,
    inputsToSave: ['x', 'kernel', 'recurrentKernel'],
    outputsToSave: [false, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy] = dys as tf.Tensor[];
      const [x, kernel, recurrentKernel, ws] = saved;
      const grads = tf.engine().runKernel(cell.gradKernel, { dy, x, kernel, recurrentKernel, ws }, attrs) as tf.Tensor[];
      const thunks: Record<string, () => tf.Tensor> = { x: () => grads[0], kernel: () => grads[1], recurrentKernel: () => grads[2] };
      if ((attrs as unknown as RnnKernelAttrs).hasBias) thunks.bias = () => grads[3];
      return thunks;
    },
  };
}

let gradientsRegistered = false;

/** Kernel configs of the fused recurrent layers (registers their gradients once). */
export function nativeRnnKernels(addon: NativeAddon): tf.KernelConfig[] {
  if (!gradientsRegistered) {
    for (const cell of CELLS) tf.registerGradient(gradConfig(cell));
    gradientsRegistered = true;
  }
  return CELLS.flatMap((cell) => [
    { kernelName: cell.kernel, backendName: 'native', kernelFunc: forwardKernel(cell, addon) },
    { kernelName: cell.gradKernel, backendName: 'native', kernelFunc: backwardKernel(cell, addon) },
  ]);
}
