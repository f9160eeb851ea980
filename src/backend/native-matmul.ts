/**
 * Matrix-multiply kernels of the 'native' backend on oneDNN: BatchMatMul and _FusedMatMul
 * (bias + activation fused as post-ops). Transposes become strides, broadcasting of a single
 * batch is native; other batch broadcasts and prelu go to the cpu kernels.
 */
import { tf } from './tf.js';
import { activationCode, allocOutput, f32Of, nativeKernel, type NativeAddon, type NativeImpl } from './native-addon.js';

const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

/** The MatMulParams array of native/src/matmul.h plus the output shape, or null if unsupported. */
export function matMulParams(
  aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean, act = 0, hasBias = false,
): { params: Int32Array; outShape: number[] } | null {
  const ra = aShape.length, rb = bShape.length;
  if (ra < 2 || rb < 2) return null;
  const m = transposeA ? aShape[ra - 1] : aShape[ra - 2];
  const k = transposeA ? aShape[ra - 2] : aShape[ra - 1];
  const kb = transposeB ? bShape[rb - 1] : bShape[rb - 2];
  const n = transposeB ? bShape[rb - 2] : bShape[rb - 1];
  if (k !== kb) return null; // the cpu kernel throws the proper error
  const outerA = aShape.slice(0, -2), outerB = bShape.slice(0, -2);
  const batchA = product(outerA), batchB = product(outerB);
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  if (product(outer) !== Math.max(batchA, batchB) || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return null;
  const params = Int32Array.from([batchA, batchB, m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0, act, hasBias ? 1 : 0]);
  return { params, outShape: [...outer, m, n] };
}

function matMulImpl(fused: boolean): NativeImpl {
  return ({ inputs, attrs }, addon, backend) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const at = attrs as Record<string, any>;
    const act = fused ? activationCode(at.activation) : 0;
    if (act === undefined) return null;
    const a = f32Of(backend, inputs.a), b = f32Of(backend, inputs.b);
    const bias = fused && inputs.bias ? f32Of(backend, inputs.bias) : undefined;
    if (!a || !b || (fused && inputs.bias && !bias)) return null;
    const plan = matMulParams(inputs.a!.shape, inputs.b!.shape, !!at.transposeA, !!at.transposeB, act, !!bias);
    if (!plan || (bias && bias.length !== plan.outShape[plan.outShape.length - 1])) return null;
    const out = allocOutput(backend, plan.outShape);
    addon.matmul(plan.params, at.leakyreluAlpha ?? 0.2, a, b, bias ?? null, out.values);
    return out.info;
  };
}

/** Kernel configs of the oneDNN-backed matrix multiplies. */
export function nativeMatMulKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [nativeKernel('BatchMatMul', matMulImpl(false), addon), nativeKernel('_FusedMatMul', matMulImpl(true), addon)];
}
