/**
 * Fused transformer ops (layer norm, GELU, the attention core) as kernels that only the
 * 'native' backend registers (src/backend/native-transformer.ts, with their gradients). Each
 * function here runs its kernel when the active backend has it and returns null otherwise, so
 * the caller keeps its stock tfjs path on wasm, cpu and in the browser. Browser-safe.
 */
import { tf } from './tf.js';

/** Kernel names of the fused ops and of the backward kernels their gradients run. */
export const FUSED_KERNELS = {
  layerNorm: 'MedlensLayerNorm',
  layerNormGradInput: 'MedlensLayerNormGradInput',
  layerNormGradGamma: 'MedlensLayerNormGradGamma',
  gelu: 'MedlensGelu',
  geluGrad: 'MedlensGeluGrad',
  attention: 'MedlensAttention',
  attentionGrad: 'MedlensAttentionGrad',
} as const;

/** Whether the active backend runs kernel `name` (one registry lookup: cheap per call). */
export function hasFusedKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

const isF32 = (...ts: tf.Tensor[]) => ts.every((t) => t.dtype === 'float32' && t.size > 0);

/**
 * Layer normalisation of x over its last axis, y = (x - mean) / sqrt(var + epsilon) * gamma +
 * beta (gamma, beta [D]), as one kernel; null when the backend has no fused kernel.
 */
export function fusedLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor | null {
  const d = x.shape[x.rank - 1];
  if (x.rank < 2 || gamma.size !== d || beta.size !== d || !isF32(x, gamma, beta) || !hasFusedKernel(FUSED_KERNELS.layerNorm)) return null;
  const flat = (t: tf.Tensor) => (t.rank === 1 ? t : tf.reshape(t, [d]));
  const [y, stats] = tf.engine().runKernel(FUSED_KERNELS.layerNorm, { x, gamma: flat(gamma), beta: flat(beta) }, { epsilon }) as tf.Tensor[];
  stats.dispose(); // the row statistics only serve the gradient, which keeps its own reference
  return y;
}

/** GELU, exact erf form (tfjs-layers' 'gelu'), as one kernel; null when the backend has none. */
export function fusedGelu(x: tf.Tensor): tf.Tensor | null {
  if (!isF32(x) || !hasFusedKernel(FUSED_KERNELS.gelu)) return null;
  return tf.engine().runKernel(FUSED_KERNELS.gelu, { x }) as tf.Tensor;
}

/**
 * Multi-head self-attention core from the fused projection qkv [B, N, 3 * D] (last axis
 * ordered (3, heads, D / heads) like timm): context [B, N, D] (heads concatenated) and the
 * attention probabilities softmax(q k^T / sqrt(D / heads)) [B, heads, N, N]; null when the
 * backend has no fused kernel.
 */
export function fusedAttention(qkv: tf.Tensor, numHeads: number): [tf.Tensor, tf.Tensor] | null {
  if (qkv.rank !== 3 || (qkv.shape[2] as number) % (3 * numHeads) !== 0 || !isF32(qkv) || !hasFusedKernel(FUSED_KERNELS.attention)) return null;
  const [ctx, probs] = tf.engine().runKernel(FUSED_KERNELS.attention, { qkv }, { numHeads }) as tf.Tensor[];
  return [ctx, probs];
}
