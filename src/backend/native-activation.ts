/**
 * Relu's gradient as one native kernel ('MedlensReluGrad', native/src/activation.cc): tfjs
 * computes dy * step(x) as a Step and a Multiply kernel, two passes and a temporary per ReLU
 * (DenseNet-121 has 121 of them). The Relu gradient registered here runs the fused kernel
 * where the backend has it and tfjs' own formula elsewhere, so other backends are unchanged.
 */
import { tf } from './tf.js';
import { allocOutput, f32Of, type NativeAddon } from './native-addon.js';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/** Name of the fused Relu-gradient kernel (native backend only). */
export const RELU_GRAD = 'MedlensReluGrad';

/** dy * step(x): the fused kernel where the active backend has it, tfjs' formula otherwise. */
export function reluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (dy.dtype === 'float32' && x.dtype === 'float32' && tf.util.arraysEqual(dy.shape, x.shape) && tf.getKernel(RELU_GRAD, tf.getBackend())) {
    return tf.engine().runKernel(RELU_GRAD, { dy, x }) as tf.Tensor;
  }
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

let gradientsRegistered = false;

/** Registers the Relu gradient above and the fused kernel's own (so second derivatives still work). */
function registerReluGradients(): void {
  if (gradientsRegistered) return;
  gradientsRegistered = true;
  tf.registerGradient({ kernelName: 'Relu', inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => reluGrad(dy as tf.Tensor, x) }) });
  tf.registerGradient({
    kernelName: RELU_GRAD,
    inputsToSave: ['x'],
    gradFunc: (ddx, [x]) => ({ dy: () => reluGrad(ddx as tf.Tensor, x), x: () => tf.zerosLike(x) }),
  });
}

/** Kernel config of the fused Relu gradient (registers the gradients too). */
export function nativeActivationKernels(addon: NativeAddon): tf.KernelConfig[] {
  registerReluGradients();
  const kernelFunc: tf.KernelConfig['kernelFunc'] = ({ inputs, backend }) => {
    const cpu = backend as MathBackendCPU;
    const dy = f32Of(cpu, inputs.dy), x = f32Of(cpu, inputs.x);
    if (!dy || !x) throw new Error(`${RELU_GRAD} takes float32 tensors`);
    const out = allocOutput(cpu, inputs.x!.shape);
    addon.reluGrad(dy, x, out.values);
    return out.info;
  };
  return [{ kernelName: RELU_GRAD, backendName: 'native', kernelFunc }];
}
