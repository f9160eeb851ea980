/**
 * One call signature for every method: `explain(model, input, { method, target, ...options })`.
 * Method names are the class names users know from Captum / pytorch-grad-cam
 * (case-insensitive; dashes and underscores ignored).
 */
import type { tf } from '../backend/tf.js';
import { InvalidInputError } from '../errors.js';
import type { Attribution } from './attribution.js';
import type { Explainer } from './base.js';
import type { ModelLike } from './types.js';
import { Saliency, InputXGradient } from './saliency.js';
import { IntegratedGradients } from './integrated-gradients.js';
import { SmoothGrad, VarGrad } from './noise-tunnel.js';
import { GradientShap } from './gradient-shap.js';
import { GradCAM } from './gradcam.js';
import { GradCAMPlusPlus } from './gradcam-plus-plus.js';
import { HiResCAM } from './hirescam.js';
import { XGradCAM } from './xgradcam.js';
import { LayerCAM } from './layercam.js';
import { EigenCAM } from './eigencam.js';
import { ScoreCAM } from './scorecam.js';
import { AblationCAM } from './ablationcam.js';
import { Occlusion } from './occlusion.js';
import { FeatureAblation } from './feature-ablation.js';
import { ShapleyValueSampling } from './shapley.js';
import { Lime } from './lime.js';
import { KernelShap } from './kernel-shap.js';
import { Rise } from './rise.js';
import { GuidedBackprop, Deconvolution } from './guided-backprop.js';
import { GuidedGradCAM } from './guided-gradcam.js';
import { DeepLift } from './deeplift.js';
import { LRP } from './lrp.js';
import { FullGrad } from './fullgrad.js';
import { AttentionRollout, GradientRollout } from './rollout.js';
import { DeletionMask } from './deletion-mask.js';

/** Family of a method, for listings. */
export type MethodFamily = 'gradient' | 'cam' | 'perturbation' | 'attention';

type ExplainerClass = new (model: never) => Explainer<never>;

const registry: { name: string; family: MethodFamily; cls: ExplainerClass }[] = [];

/** Adds a method to the registry (used by this module and by later method files). */
export function registerMethod(name: string, family: MethodFamily, cls: ExplainerClass): void {
  registry.push({ name, family, cls });
}

for (const [n, c] of [
  ['Saliency', Saliency], ['InputXGradient', InputXGradient], ['IntegratedGradients', IntegratedGradients],
  ['SmoothGrad', SmoothGrad], ['VarGrad', VarGrad], ['GradientShap', GradientShap],
  ['GuidedBackprop', GuidedBackprop], ['Deconvolution', Deconvolution], ['DeepLift', DeepLift], ['LRP', LRP],
] as const) registerMethod(n, 'gradient', c as unknown as ExplainerClass);
for (const [n, c] of [
  ['GradCAM', GradCAM], ['GradCAMPlusPlus', GradCAMPlusPlus], ['HiResCAM', HiResCAM], ['XGradCAM', XGradCAM],
  ['LayerCAM', LayerCAM], ['EigenCAM', EigenCAM], ['ScoreCAM', ScoreCAM], ['AblationCAM', AblationCAM],
  ['GuidedGradCAM', GuidedGradCAM], ['FullGrad', FullGrad],
] as const) registerMethod(n, 'cam', c as unknown as ExplainerClass);
registerMethod('AttentionRollout', 'attention', AttentionRollout as unknown as ExplainerClass);
registerMethod('GradientRollout', 'attention', GradientRollout as unknown as ExplainerClass);
for (const [n, c] of [
  ['Occlusion', Occlusion], ['FeatureAblation', FeatureAblation], ['ShapleyValueSampling', ShapleyValueSampling],
  ['Lime', Lime], ['KernelShap', KernelShap], ['RISE', Rise],
] as const) registerMethod(n, 'perturbation', c as unknown as ExplainerClass);
registerMethod('DeletionMask', 'perturbation', DeletionMask as unknown as ExplainerClass);

const key = (s: string) => s.toLowerCase().replace(/[-_ ]/g, '').replace(/\+\+/g, 'plusplus');

/** Registered methods with their family. */
export function listMethods(): { name: string; family: MethodFamily }[] {
  return registry.map(({ name, family }) => ({ name, family }));
}

/** The explainer class registered under `method` (InvalidInputError listing the names otherwise). */
export function methodClass(method: string): ExplainerClass {
  const hit = registry.find((r) => key(r.name) === key(String(method)));
  if (!hit) throw new InvalidInputError('method', `unknown method '${method}'; known: ${registry.map((r) => r.name).join(', ')}`);
  return hit.cls;
}

/** Explains `input` with the named method; other fields are that method's options. */
export function explain(model: ModelLike, input: tf.Tensor, options: { method: string } & Record<string, unknown>): Promise<Attribution> {
  const { method, ...rest } = options;
  const Cls = methodClass(method) as unknown as new (m: ModelLike) => Explainer<Record<string, unknown>>;
  return new Cls(model).attribute(input, rest);
}
