/**
 * InputInvariance (Kindermans et al. 2017): the input is shifted by a constant and the model is
 * wrapped to undo the shift (same outputs); an input-invariant explainer returns the same map.
 * Score 1 when the re-explained map equals the attribution (within `tolerance` of its largest
 * magnitude), else 0. The wrapped model is a function, so explainers that need layers (CAMs)
 * do not apply.
 */
import { tf } from '../../backend/tf.js';
import { InvalidInputError } from '../../errors.js';
import { applyModel } from '../../explain/base.js';
import type { ModelLike } from '../../explain/types.js';
import { runMetric } from '../base.js';
import type { AttributionInput, Labels, MetricDef, MetricOptions, TensorInput } from '../types.js';
import { explainAll } from '../randomisation/common.js';

/** InputInvariance options. */
export interface InputInvarianceOptions extends MetricOptions {
  /** Constant added to the input. Default -1 (Quantus). */
  inputShift?: number;
  /** Relative tolerance. Default 1e-4. */
  tolerance?: number;
}

/** InputInvariance (1/0) per sample (needs `explain`). */
export const InputInvariance: MetricDef<InputInvarianceOptions> = {
  name: 'InputInvariance',
  category: 'axiomatic',
  needs: ['model', 'explain'],
  ranks: [1, 2, 3],
  higherIsBetter: true,
  run: async (ctx, o) => {
    const c = o.inputShift ?? -1, tol = o.tolerance ?? 1e-4;
    if (!Number.isFinite(c)) throw new InvalidInputError('inputShift', 'must be finite');
    const model = ctx.modelLike;
    const shiftedModel = (z: tf.Tensor) => tf.tidy(() => applyModel(model, tf.sub(z, c)));
    const moved = tf.add(ctx.input, c);
    let b: Float32Array;
    try {
      b = await explainAll(ctx, ctx.classes, shiftedModel, moved);
    } finally {
      moved.dispose();
    }
    return ctx.perSample((i) => {
      const P = ctx.positions, a = ctx.relevanceOf(i);
      const scale = Math.max(1e-12, ...Array.from(a, Math.abs));
      for (let p = 0; p < P; p++) if (Math.abs(a[p] - b[i * P + p]) > tol * scale) return 0;
      return 1;
    });
  },
};

/** InputInvariance per sample. */
export function inputInvariance(model: ModelLike, x: TensorInput, y: Labels, attribution: AttributionInput, o: InputInvarianceOptions): Promise<Float32Array> {
  return runMetric(InputInvariance, model, x, y, attribution, o);
}
