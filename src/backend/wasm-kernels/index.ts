/**
 * Makes the tfjs 4.22 wasm backend train, fast. Registers on 'wasm' only: the kernels it lacks
 * for training (Conv2DBackpropFilter, DepthwiseConv2dNativeBackprop{Input,Filter},
 * UnsortedSegmentSum) and faster replacements for slow ones (Conv2DBackpropInput, BatchMatMul
 * with transposes, Tile, Slice/Unpack/SplitV) and correct ones for wrong ones (MaxPoolGrad,
 * MaxPool3DGrad: stock routes the gradient to the wrong element; MaxPool3D: wrong for non-cubic pools;
 * MaxPool/AvgPool: wrong with dimRoundingMode 'ceil'/'round'). Also replaces two tfjs-core gradients (Tile,
 * FusedBatchNorm) with faster ones; gradients are global, so these are exact on every backend.
 */
import { tf } from '../tf.js';
import { registerWasmKernel } from './registry.js';
import { conv2DBackpropInput, conv2DBackpropFilter } from './conv2d-backprop.js';
import { depthwiseBackpropInput, depthwiseBackpropFilter } from './depthwise-backprop.js';
import { batchMatMul, tile } from './matmul-tile.js';
import { unsortedSegmentSum } from './segment-sum.js';
import { slice, unpack, splitV } from './slice.js';
import { maxPool, avgPool, maxPool3D, maxPoolGrad, maxPool3DGrad } from './pooling.js';
import { tileGradConfig, fusedBatchNormGradConfig } from './gradients.js';

export { stockWasmKernel } from './registry.js';
export { tileGrad } from './gradients.js';
export { composedConv2DBackpropInput } from './conv2d-backprop.js';

let kernelsRegistered = false;
let gradientsRegistered = false;

/** Kernels this module registers on 'wasm' (replacing stock ones of the same name). */
export const WASM_TRAINING_KERNELS = [
  'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter', 'BatchMatMul', 'Tile', 'UnsortedSegmentSum', 'Slice', 'Unpack', 'SplitV',
  'MaxPoolGrad', 'MaxPool3DGrad', 'MaxPool3D', 'MaxPool', 'AvgPool',
] as const;

/** Registers the faster Tile and FusedBatchNorm gradients (all backends) once. */
export function registerFastGradients(): void {
  if (gradientsRegistered) return;
  gradientsRegistered = true;
  tf.registerGradient(tileGradConfig);
  tf.registerGradient(fusedBatchNormGradConfig);
}

/** Registers the missing/faster wasm kernels and the faster gradients once (idempotent). */
export function registerWasmTrainingKernels(): void {
  registerFastGradients();
  if (kernelsRegistered) return;
  // Replacements delegate to these stock kernels, so they must be registered (by importing
  // @tensorflow/tfjs-backend-wasm) before this runs.
  if (!tf.getKernel('Conv2D', 'wasm')) throw new Error('the tfjs wasm backend must be imported before registering its training kernels');
  kernelsRegistered = true;
  registerWasmKernel('Conv2DBackpropInput', conv2DBackpropInput as never);
  registerWasmKernel('Conv2DBackpropFilter', conv2DBackpropFilter as never);
  registerWasmKernel('DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput as never);
  registerWasmKernel('DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter as never);
  registerWasmKernel('BatchMatMul', batchMatMul as never);
  registerWasmKernel('Tile', tile as never);
  registerWasmKernel('UnsortedSegmentSum', unsortedSegmentSum as never);
  registerWasmKernel('Slice', slice as never);
  registerWasmKernel('Unpack', unpack as never);
  registerWasmKernel('SplitV', splitV as never);
  registerWasmKernel('MaxPoolGrad', maxPoolGrad as never);
  registerWasmKernel('MaxPool3DGrad', maxPool3DGrad as never);
  registerWasmKernel('MaxPool3D', maxPool3D as never);
  registerWasmKernel('MaxPool', maxPool as never);
  registerWasmKernel('AvgPool', avgPool as never);
}
