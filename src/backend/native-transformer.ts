/**
 * The fused transformer kernels of the 'native' backend (C++ in native/src/layernorm.cc,
 * gelu.cc, attention.cc) and their gradients. They have no cpu counterpart: src/backend/
 * fused-ops.ts only calls them when the active backend registers them. On vit-tiny they replace
 * some 60 small tfjs kernels per block (moments, tiles and a broadcast batch norm per layer
 * norm, the erf chain of GELU, the transposes, matmuls and softmax of attention).
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { tf } from './tf.js';
import { allocOutput, f32Of, nativeKernelHits, type NativeAddon } from './native-addon.js';
import { FUSED_KERNELS as K } from './fused-ops.js';

type KernelArgs = Parameters<tf.KernelConfig['kernelFunc']>[0];
type Impl = (args: KernelArgs, addon: NativeAddon, backend: MathBackendCPU) => tf.TensorInfo | tf.TensorInfo[];

/** The Float32Arrays of the named inputs; throws when one is missing or not float32. */
function inputsOf(args: KernelArgs, names: string[]): Float32Array[] {
  const backend = args.backend as MathBackendCPU;
  return names.map((n) => {
    const v = f32Of(backend, args.inputs[n]);
    if (!v) throw new Error(`native fused kernel: input ${n} missing or not float32`);
    return v;
  });
}

/** A native-only kernel (no cpu fallback: callers check for it), counted in `nativeKernelHits`. */
function nativeOnlyKernel(name: string, impl: Impl, addon: NativeAddon): tf.KernelConfig {
  // The hit counter is shared with the other native kernels; tests read it to prove coverage.
  const hits = nativeKernelHits() as Map<string, number>;
  return {
    kernelName: name,
    backendName: 'native',
    kernelFunc: (args) => {
      const out = impl(args, addon, args.backend as MathBackendCPU);
      hits.set(name, (hits.get(name) ?? 0) + 1);
      return out;
    },
  };
}

/** Views of the layer norm's row statistics [2, rows]: each row's mean, then 1 / sqrt(var + eps). */
const meanAndRstd = (stats: Float32Array): [Float32Array, Float32Array] => [stats.subarray(0, stats.length / 2), stats.subarray(stats.length / 2)];

const layerNorm: Impl = (args, addon, backend) => {
  const [x, gamma, beta] = inputsOf(args, ['x', 'gamma', 'beta']);
  const shape = args.inputs.x!.shape;
  const rows = x.length / gamma.length;
  const y = allocOutput(backend, shape), stats = allocOutput(backend, [2, rows]);
  addon.layerNorm(Number((args.attrs as { epsilon: number }).epsilon), x, gamma, beta, y.values, ...meanAndRstd(stats.values));
  return [y.info, stats.info];
};

const layerNormGradInput: Impl = (args, addon, backend) => {
  const [dy, x, gamma, stats] = inputsOf(args, ['dy', 'x', 'gamma', 'stats']);
  const dx = allocOutput(backend, args.inputs.x!.shape);
  addon.layerNormGradInput(dy, x, gamma, ...meanAndRstd(stats), dx.values);
  return dx.info;
};

const layerNormGradGamma: Impl = (args, addon, backend) => {
  const [dy, x, stats] = inputsOf(args, ['dy', 'x', 'stats']);
  const shape = args.inputs.x!.shape;
  const dgamma = allocOutput(backend, [shape[shape.length - 1]]);
  addon.layerNormGradGamma(dy, x, ...meanAndRstd(stats), dgamma.values);
  return dgamma.info;
};

const gelu: Impl = (args, addon, backend) => {
  const [x] = inputsOf(args, ['x']);
  const y = allocOutput(backend, args.inputs.x!.shape);
  addon.gelu(x, y.values);
  return y.info;
};

const geluGrad: Impl = (args, addon, backend) => {
  const [dy, x] = inputsOf(args, ['dy', 'x']);
  const dx = allocOutput(backend, args.inputs.x!.shape);
  addon.geluGrad(dy, x, dx.values);
  return dx.info;
};

/** [B, N, heads, headDim] of qkv [B, N, 3 * D] and the score scale 1 / sqrt(headDim). */
function attentionSizes(qkvShape: number[], numHeads: number): { params: Int32Array; scale: number; dim: number } {
  const [b, n, d3] = qkvShape;
  const headDim = d3 / 3 / numHeads;
  if (qkvShape.length !== 3 || !Number.isInteger(headDim) || headDim < 1) throw new Error(`attention: qkv ${qkvShape} does not split into ${numHeads} heads`);
  return { params: Int32Array.from([b, n, numHeads, headDim]), scale: 1 / Math.sqrt(headDim), dim: d3 / 3 };
}

const attention: Impl = (args, addon, backend) => {
  const [qkv] = inputsOf(args, ['qkv']);
  const heads = Number((args.attrs as { numHeads: number }).numHeads);
  const [b, n] = args.inputs.qkv!.shape;
  const { params, scale, dim } = attentionSizes(args.inputs.qkv!.shape, heads);
  const ctx = allocOutput(backend, [b, n, dim]), probs = allocOutput(backend, [b, heads, n, n]);
  addon.attention(params, scale, qkv, ctx.values, probs.values);
  return [ctx.info, probs.info];
};

const attentionGrad: Impl = (args, addon, backend) => {
  const [qkv, probs, dctx] = inputsOf(args, ['qkv', 'probs', 'dctx']);
  const dprobs = args.inputs.dprobs ? inputsOf(args, ['dprobs'])[0] : null;
  const { params, scale } = attentionSizes(args.inputs.qkv!.shape, Number((args.attrs as { numHeads: number }).numHeads));
  const dqkv = allocOutput(backend, args.inputs.qkv!.shape);
  addon.attentionGrad(params, scale, qkv, probs, dctx, dprobs, dqkv.values);
  return dqkv.info;
};

const run = (name: string, inputs: tf.NamedTensorMap, attrs?: tf.NamedAttrMap) => tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;

/**
 * Gradients of the fused ops: one thunk per input, so an input gradient never pays for the
 * weight gradients. The row statistics of layer norm and, unless the caller used them, the
 * attention probabilities are outputs only for the backward pass: their incoming gradients are
 * ignored (layer norm) or added to the probabilities' gradient (attention).
 */
function registerFusedGradients(): void {
  tf.registerGradient({
    kernelName: K.layerNorm,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true],
    gradFunc: (dys, saved) => {
      const dy = (dys as tf.Tensor[])[0];
      const [x, gamma, stats] = saved;
      return {
        x: () => run(K.layerNormGradInput, { dy, x, gamma, stats }),
        gamma: () => run(K.layerNormGradGamma, { dy, x, stats }),
        beta: () => tf.sum(tf.reshape(dy, [-1, gamma.size]), 0),
      };
    },
  });
  tf.registerGradient({
    kernelName: K.gelu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => run(K.geluGrad, { dy: dy as tf.Tensor, x: saved[0] }) }),
  });
  tf.registerGradient({
    kernelName: K.attention,
    inputsToSave: ['qkv'],
    outputsToSave: [false, true],
    gradFunc: (dys, saved, attrs) => {
      const [dctx, dprobs] = dys as tf.Tensor[];
      const [qkv, probs] = saved;
      return { qkv: () => run(K.attentionGrad, { qkv, probs, dctx, dprobs }, attrs) };
    },
  });
}

/** Kernel configs of the fused transformer ops; registers their gradients (once). */
export function nativeTransformerKernels(addon: NativeAddon): tf.KernelConfig[] {
  registerFusedGradients();
  const impls: [string, Impl][] = [
    [K.layerNorm, layerNorm], [K.layerNormGradInput, layerNormGradInput], [K.layerNormGradGamma, layerNormGradGamma],
    [K.gelu, gelu], [K.geluGrad, geluGrad], [K.attention, attention], [K.attentionGrad, attentionGrad],
  ];
  return impls.map(([name, impl]) => nativeOnlyKernel(name, impl, addon));
}
