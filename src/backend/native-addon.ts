/**
 * Loads the medlens oneDNN addon (native/, built by `npm run build:native`) and the helpers the
 * native kernels share. Node-only. The addon works on Float32Arrays in place: tfjs' cpu data
 * store hands them to C++ without copies.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { tf } from './tf.js';

/** The functions exported by native/src/addon.cc. Params layouts: see native/src/conv.h, matmul.h, elementwise.h, pooling.h, indexing.h. */
export interface NativeAddon {
  convForward(p: Int32Array, alpha: number, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, weightsId: number): void;
  convBackwardData(p: Int32Array, dy: Float32Array, w: Float32Array, dx: Float32Array, weightsId: number): void;
  convBackwardWeights(p: Int32Array, x: Float32Array, dy: Float32Array, dw: Float32Array): void;
  convReleaseWeights(weightsId: number): void;
  matmul(p: Int32Array, alpha: number, a: Float32Array, b: Float32Array, bias: Float32Array | null, c: Float32Array): void;
  binary(op: number, p: Int32Array, a: Float32Array, b: Float32Array, out: Float32Array): void;
  compare(op: number, p: Int32Array, a: Float32Array, b: Float32Array, out: Uint8Array): void;
  reduceSum(p: Int32Array, scale: number, x: Float32Array, out: Float32Array): void;
  reduceMinMax(isMax: number, p: Int32Array, x: Float32Array, out: Float32Array): void;
  unary(op: number, alpha: number, x: Float32Array, y: Float32Array): void;
  tile(p: Int32Array, x: Float32Array, out: Float32Array): void;
  batchNorm(channels: number, eps: number, x: Float32Array, mean: Float32Array, variance: Float32Array,
    offset: Float32Array | null, scale: Float32Array | null, y: Float32Array): void;
  batchNormTrain(channels: number, eps: number, x: Float32Array, scale: Float32Array | null, offset: Float32Array | null,
    y: Float32Array, mean: Float32Array, variance: Float32Array): void;
  batchNormTrainGrad(channels: number, eps: number, dy: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array,
    scale: Float32Array | null, dx: Float32Array | null, dscale: Float32Array, doffset: Float32Array): void;
  transpose(p: Int32Array, x: Float32Array, out: Float32Array): void;
  copyBlock(p: Int32Array, src: Float32Array, dst: Float32Array): void;
  softmax(rowLength: number, x: Float32Array, y: Float32Array): void;
  lstmForward(p: Int32Array, x: Float32Array, kernel: Float32Array, recurrentKernel: Float32Array, bias: Float32Array | null,
    y: Float32Array, ws: Float32Array): void;
  lstmBackward(p: Int32Array, dy: Float32Array, x: Float32Array, kernel: Float32Array, recurrentKernel: Float32Array, ws: Float32Array,
    dx: Float32Array, dKernel: Float32Array, dRecurrentKernel: Float32Array, dBias: Float32Array | null): void;
  gruForward: NativeAddon['lstmForward'];
  gruBackward: NativeAddon['lstmBackward'];
  poolForward(p: Int32Array, alg: number, x: Float32Array, y: Float32Array): boolean;
  maxPoolBackward(p: Int32Array, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array): boolean;
  avgPoolBackward(p: Int32Array, dy: Float32Array, dx: Float32Array): boolean;
  reluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array): void;
  select(condition: Uint8Array, t: Float32Array, e: Float32Array, out: Float32Array): void;
  convert(src: Float32Array | Int32Array | Uint8Array, dst: Float32Array | Int32Array | Uint8Array): void;
  isFinite(x: Float32Array, out: Uint8Array): void;
  gather(p: Int32Array, x: Float32Array, indices: Int32Array, out: Float32Array): void;
  resizeBilinear(p: Int32Array, x: Float32Array, y: Float32Array): void;
  resizeBilinearGrad(p: Int32Array, dy: Float32Array, dx: Float32Array): void;
  info(): { onednn: string; threads: number; cachedPrimitives: number };
  layerNorm(eps: number, x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, rstd: Float32Array): void;
  layerNormGradInput(dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, rstd: Float32Array, dx: Float32Array): void;
  layerNormGradGamma(dy: Float32Array, x: Float32Array, mean: Float32Array, rstd: Float32Array, dgamma: Float32Array): void;
  gelu(x: Float32Array, y: Float32Array): void;
  geluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array): void;
  attention(p: Int32Array, scale: number, qkv: Float32Array, ctx: Float32Array, probs: Float32Array): void;
  attentionGrad(p: Int32Array, scale: number, qkv: Float32Array, probs: Float32Array, dctx: Float32Array, dprobs: Float32Array | null, dqkv: Float32Array): void;
}

/** Where node-gyp puts the addon; the same relative path from src/backend and dist/backend. */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../../native/build/Release/medlens_native.node', import.meta.url));

let cached: NativeAddon | string | undefined;

/** The loaded addon, or the reason it cannot be loaded (not built, libdnnl missing, ...). */
export function loadNativeAddon(): NativeAddon | string {
  if (cached === undefined) {
    // oneDNN's OpenMP threads otherwise spin between kernels while JS runs tfjs' bookkeeping;
    // on a busy machine that made training steps ~3x slower (measured). libgomp reads this
    // when the addon loads it; a user's own setting wins.
    process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
    try {
      cached = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as NativeAddon;
    } catch (e) {
      const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      cached = `native oneDNN addon not built or not loadable (run 'npm run build:native' after installing libdnnl-dev and g++): ${first}`;
    }
  }
  return cached;
}

/** Highest tensor rank the addon's shape-parameterised kernels take (kMaxRank in native/src/elementwise.h). */
export const NATIVE_MAX_RANK = 8;

/** Activation codes of native/src/common.h; undefined for activations run by the cpu kernel. */
export function activationCode(activation: unknown): number | undefined {
  const codes: Record<string, number> = { linear: 0, relu: 1, relu6: 2, elu: 3, leakyrelu: 4, sigmoid: 5 };
  return codes[activation === undefined ? 'linear' : String(activation)];
}

type Kernel = tf.KernelConfig['kernelFunc'];
type KernelArgs = Parameters<Kernel>[0];

/** A kernel body that returns null when it cannot handle its inputs (the cpu kernel then runs). */
export type NativeImpl = (args: KernelArgs, addon: NativeAddon, backend: MathBackendCPU) => tf.TensorInfo | tf.TensorInfo[] | null;

/** The Float32Array behind a cpu-backend tensor, or undefined when it is not float32. */
export function f32Of(backend: MathBackendCPU, t: tf.TensorInfo | undefined): Float32Array | undefined {
  if (!t) return undefined;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

/** The output-buffer pool of a NativeBackend (native-pool.ts; structural, to avoid an import cycle). */
interface PooledBackend {
  float32Pool?: { take(length: number): Float32Array; own(values: Float32Array): void };
}

/**
 * A new float32 tensor of `shape` for a kernel to fill. Its values are NOT zeroed: on the native
 * backend the buffer may be a released output of an earlier kernel (native-pool.ts), so the
 * kernel must write every element, or zero/fill it first.
 */
export function allocOutput(backend: MathBackendCPU, shape: number[]): { info: tf.TensorInfo; values: Float32Array } {
  const size = shape.reduce((a, b) => a * b, 1);
  const pool = (backend as PooledBackend).float32Pool;
  const values = pool ? pool.take(size) : new Float32Array(size);
  const info = backend.makeTensorInfo(shape, 'float32', values);
  pool?.own(values); // storing it disowned it; it is still only the kernels'
  return { info, values };
}

const hits = new Map<string, number>();

/** How many times each native kernel ran in oneDNN (not deferred to cpu): tests use it to prove coverage. */
export function nativeKernelHits(): ReadonlyMap<string, number> {
  return hits;
}

/** Counts a run of a native-only kernel (one without a cpu fallback, e.g. a fused op). */
export function recordNativeHit(name: string): void {
  hits.set(name, (hits.get(name) ?? 0) + 1);
}

/**
 * Wraps `impl` as a kernel of the 'native' backend that defers to the cpu kernel `name` when needed.
 * Fused ops (native-only names, no cpu kernel) must handle every input they are given.
 */
export function nativeKernel(name: string, impl: NativeImpl, addon: NativeAddon): tf.KernelConfig {
  const cpu = tf.getKernel(name, 'cpu');
  const kernelFunc: Kernel = (args) => {
    const backend = args.backend as MathBackendCPU;
    const empty = Object.values(args.inputs).some((t) => t !== undefined && t.shape.some((d) => d === 0));
    const out = empty ? null : impl(args, addon, backend);
    if (out) hits.set(name, (hits.get(name) ?? 0) + 1);
    if (!out && !cpu) throw new Error(`native kernel ${name} cannot run on these inputs and has no cpu kernel`);
    return out ?? cpu!.kernelFunc(args);
  };
  return { kernelName: name, backendName: 'native', kernelFunc };
}
