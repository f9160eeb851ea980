/** Builds the `explain(x, target, model)` function the robustness/randomisation metrics take from a named explainer. */
import { explain } from '../explain/explain.js';
import type { ExplainFn } from './types.js';

/** An explain function running the registered explainer `method` with `options` (e.g. `explainerFn('IntegratedGradients', { steps: 32 })`). */
export function explainerFn(method: string, options: Record<string, unknown> = {}): ExplainFn {
  return (x, target, model) => explain(model, x, { ...options, method, target });
}
