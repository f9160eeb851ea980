/**
 * Guided Grad-CAM (Selvaraju et al.): guided backpropagation multiplied elementwise by the
 * Grad-CAM map upsampled to the input size (broadcast over channels).
 */
import type { Attribution } from './attribution.js';
import { Explainer, type ExplainContext } from './base.js';
import { requireLayersModel } from './activation-rules.js';
import type { CamOptions } from './cam-base.js';
import { GradCAM } from './gradcam.js';
import { guidedRule, ruleGradients } from './guided-backprop.js';

/** Guided Grad-CAM. */
export class GuidedGradCAM extends Explainer<CamOptions> {
  readonly name = 'GuidedGradCAM';
  protected async run(ctx: ExplainContext, o: CamOptions): Promise<Attribution> {
    const model = requireLayersModel(this.model, this.name);
    const target = ctx.target.kind === 'class' ? ctx.target.classes : ctx.target.fn;
    const cam = await new GradCAM(model).attribute(ctx.input, { ...o, target, upsample: true, onProgress: undefined });
    const guided = await ruleGradients(ctx, model, guidedRule);
    const c = ctx.sampleShape.length > 1 ? ctx.sampleShape[ctx.sampleShape.length - 1] : 1;
    return ctx.attribution(guided.map((g, i) => g * cam.values[Math.floor(i / c)]), { grid: cam.grid });
  }
}
