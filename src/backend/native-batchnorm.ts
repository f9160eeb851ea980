/**
 * Fused training-mode batch norm of the 'native' backend (C++ in native/src/batchnorm.cc): one
 * kernel for batch statistics + normalisation, one for the whole backward pass. tfjs-layers
 * otherwise runs ~15 full-tensor ops per layer (tf.moments, batchNorm and their gradients) and
 * keeps their intermediates alive for backprop. Used by src/models/fused-batchnorm.ts.
 */
import { tf } from './tf.js';
import { allocOutput, f32Of, nativeKernel, type NativeAddon, type NativeImpl } from './native-addon.js';
import { BATCH_NORM_TRAIN_KERNEL } from '../models/fused-batchnorm.js';

/** The backward kernel: inputs dy, x, mean, variance, scale; outputs [dx,] dscale, doffset. */
export const BATCH_NORM_TRAIN_GRAD_KERNEL = 'MedlensBatchNormTrainGrad';

interface TrainAttrs {
  varianceEpsilon: number;
}

interface GradAttrs extends TrainAttrs {
  /** False when only dscale/doffset are wanted (x is not on the gradient path). */
  withDx: boolean;
}

/** The float32 channel vectors of `names` (each of length c), or null when one is missing or wrong. */
function channelVectors(inputs: tf.NamedTensorInfoMap, names: string[], c: number, backend: Parameters<NativeImpl>[2]): Float32Array[] | null {
  const out: Float32Array[] = [];
  for (const name of names) {
    const v = f32Of(backend, inputs[name]);
    if (!v || v.length !== c || inputs[name]!.shape.length !== 1) return null;
    out.push(v);
  }
  return out;
}

/** x [..., C], scale [C], optional offset [C] -> y, batch mean, biased batch variance. */
const trainForward: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const x = f32Of(backend, inputs.x);
  const shape = inputs.x?.shape ?? [];
  const c = shape[shape.length - 1];
  if (!x || shape.length < 1) return null;
  const vectors = channelVectors(inputs, inputs.offset ? ['scale', 'offset'] : ['scale'], c, backend);
  if (!vectors) return null;
  const y = allocOutput(backend, shape), mean = allocOutput(backend, [c]), variance = allocOutput(backend, [c]);
  const eps = (attrs as unknown as TrainAttrs).varianceEpsilon;
  addon.batchNormTrain(c, eps, x, vectors[0], vectors[1] ?? null, y.values, mean.values, variance.values);
  return [y.info, mean.info, variance.info];
};

/** dy, x, mean, variance, scale -> [dx,] dscale, doffset. */
const trainBackward: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const dy = f32Of(backend, inputs.dy), x = f32Of(backend, inputs.x);
  const shape = inputs.x?.shape ?? [];
  const c = shape[shape.length - 1];
  if (!dy || !x || dy.length !== x.length || shape.length < 1) return null;
  const vectors = channelVectors(inputs, ['mean', 'variance', 'scale'], c, backend);
  if (!vectors) return null;
  const [mean, variance, scale] = vectors;
  const { varianceEpsilon, withDx } = attrs as unknown as GradAttrs;
  const dx = withDx ? allocOutput(backend, shape) : undefined;
  const dscale = allocOutput(backend, [c]), doffset = allocOutput(backend, [c]);
  addon.batchNormTrainGrad(c, varianceEpsilon, dy, x, mean, variance, scale, dx?.values ?? null, dscale.values, doffset.values);
  return [...(dx ? [dx.info] : []), dscale.info, doffset.info];
};

/**
 * Gradient of the fused op: per-input thunks over one memoised backward call. x's thunk runs
 * first when x is on the path (tfjs walks inputs in order x, scale, offset) and computes dx with
 * the weight gradients; otherwise the weight thunks run the cheaper call without dx. The batch
 * mean/variance outputs only feed the moving averages and are treated as constants.
 */
const trainGradConfig: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAIN_KERNEL,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const dy = (dys as tf.Tensor[])[0];
    const [x, scale, mean, variance] = saved;
    const { varianceEpsilon } = attrs as unknown as TrainAttrs;
    let sums: { dscale: Float32Array; doffset: Float32Array } | undefined;
    // Weight gradients are kept as plain copies, so an unused one leaks no tensor (and a recycled
    // buffer of a disposed output cannot change them).
    const run = (withDx: boolean): tf.Tensor | undefined => {
      const gradAttrs: GradAttrs = { varianceEpsilon, withDx };
      const outs = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD_KERNEL, { dy, x, mean, variance, scale },
        gradAttrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      const [dscale, doffset] = outs.slice(withDx ? 1 : 0);
      sums = { dscale: Float32Array.from(dscale.dataSync()), doffset: Float32Array.from(doffset.dataSync()) };
      return withDx ? outs[0] : undefined;
    };
    const weightGrad = (key: 'dscale' | 'doffset') => () => {
      if (!sums) run(false);
      return tf.tensor(sums![key], mean.shape, 'float32');
    };
    return { x: () => run(true)!, scale: weightGrad('dscale'), offset: weightGrad('doffset') };
  },
};

let gradientRegistered = false;

/** Kernel configs of the fused batch-norm kernels; registers their gradient (global) once. */
export function nativeBatchNormKernels(addon: NativeAddon): tf.KernelConfig[] {
  if (!gradientRegistered) {
    tf.registerGradient(trainGradConfig);
    gradientRegistered = true;
  }
  return [nativeKernel(BATCH_NORM_TRAIN_KERNEL, trainForward, addon), nativeKernel(BATCH_NORM_TRAIN_GRAD_KERNEL, trainBackward, addon)];
}
