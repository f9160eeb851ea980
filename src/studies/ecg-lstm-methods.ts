/**
 * The explanation methods compared by the ECG-LSTM study, each bound to its model (the LSTM, or
 * the 1D-CNN for Grad-CAM) and its settings, with one `run` that times the explanation.
 */
import { tf, type tfl } from '../backend/tf.js';
import { explain } from '../explain/explain.js';
import type { InfillFunction } from '../explain/infill/types.js';
import type { ExplainFn } from '../evaluate/types.js';

/** Effort settings of the methods (smaller in --quick mode). */
export interface MethodSettings {
  /** Integrated-gradients steps. */
  igSteps: number;
  /** SmoothGrad noisy samples. */
  smoothGradSamples: number;
  /** Occlusion window and stride in samples. */
  occlusionWindow: number;
  occlusionStride: number;
  /** Learned deletion mask: Adam steps. */
  maskSteps: number;
  /** Rows per forward pass. */
  internalBatchSize: number;
  seed: number;
}

/** One method of the comparison. */
export interface MethodSpec {
  /** Name in tables (unique). */
  name: string;
  /** Which trained model it explains. */
  model: 'lstm' | 'cnn';
  /** Registered explainer and its options (without target). */
  method: string;
  options: Record<string, unknown>;
}

/**
 * The study's methods: Saliency, IntegratedGradients, SmoothGrad, Occlusion with zero and with
 * generative infill, the learned deletion mask (blur perturbation) on the LSTM, and Grad-CAM on the
 * 1D-CNN (the LSTM has no convolutional feature map). `infill` is the generative infill function;
 * without it the generative-occlusion row is left out.
 */
export function studyMethods(s: MethodSettings, infill?: InfillFunction, cnnLayer?: string): MethodSpec[] {
  const common = { internalBatchSize: s.internalBatchSize };
  const occ = { window: [s.occlusionWindow], strides: [s.occlusionStride], ...common };
  const out: MethodSpec[] = [
    { name: 'Saliency', model: 'lstm', method: 'Saliency', options: { ...common } },
    { name: 'IntegratedGradients', model: 'lstm', method: 'IntegratedGradients', options: { steps: s.igSteps, baseline: 'zero', ...common } },
    { name: 'SmoothGrad', model: 'lstm', method: 'SmoothGrad', options: { samples: s.smoothGradSamples, noiseLevel: 0.15, seed: s.seed, ...common } },
    { name: 'Occlusion (zero)', model: 'lstm', method: 'Occlusion', options: { ...occ, baseline: 0 } },
  ];
  if (infill) out.push({ name: 'Occlusion (generative infill)', model: 'lstm', method: 'Occlusion', options: { ...occ, baseline: infill } });
  out.push({ name: 'Learned deletion mask', model: 'lstm', method: 'DeletionMask', options: { steps: s.maskSteps, perturbation: 'blur', seed: s.seed, ...common } });
  out.push({ name: 'Grad-CAM (1D-CNN)', model: 'cnn', method: 'GradCAM', options: { ...(cnnLayer ? { layer: cnnLayer } : {}), ...common } });
  return out;
}

/** Attribution of a method on beats [N, T, 1] for classes `targets`, flat [N, T], and the seconds it took per beat. */
export async function runMethod(spec: MethodSpec, model: tfl.LayersModel, x: Float32Array, shape: number[], targets: Int32Array): Promise<{ values: Float32Array; secondsPerBeat: number }> {
  const input = tf.tensor(x, shape);
  try {
    const t0 = performance.now();
    const a = await explain(model, input, { method: spec.method, target: targets, ...spec.options });
    const seconds = (performance.now() - t0) / 1000;
    // CAMs are upsampled to the input by the CAM base; channels (1 lead) are summed per position
    const perPos = a.values.length === shape[0] * shape[1] ? a.values : sumChannels(a.values, shape[0] * shape[1]);
    return { values: Float32Array.from(perPos), secondsPerBeat: seconds / shape[0] };
  } finally {
    input.dispose();
  }
}

function sumChannels(values: Float32Array, positions: number): Float32Array {
  const c = values.length / positions;
  if (!Number.isInteger(c)) throw new Error(`attribution of ${values.length} values does not fit ${positions} positions`);
  const out = new Float32Array(positions);
  for (let p = 0; p < positions; p++) for (let k = 0; k < c; k++) out[p] += values[p * c + k];
  return out;
}

/** The explain function of a method for the randomisation test (same options, fewer mask steps allowed). */
export function methodExplainFn(spec: MethodSpec, overrides: Record<string, unknown> = {}): ExplainFn {
  return (x, target, model) => explain(model, x, { method: spec.method, ...spec.options, ...overrides, target });
}
