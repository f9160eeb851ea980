/**
 * The metric registry and the one call signature:
 * `evaluate(metric, { model, x, y, attribution, mask, ...options }) -> Float32Array`.
 * Names are Quantus' class names (case-insensitive; dashes, underscores and spaces ignored).
 */
import { InvalidInputError } from '../errors.js';
import { runMetric } from './base.js';
import type { EvaluateArgs, MetricCategory, MetricDef, MetricOptions } from './types.js';

const registry: MetricDef<never>[] = [];

const key = (s: string) => s.toLowerCase().replace(/[-_ ]/g, '');

/** Adds metrics to the registry (metric files register through index.ts). */
export function registerMetric(...defs: MetricDef<never>[]): void {
  for (const d of defs) if (!registry.some((r) => key(r.name) === key(d.name))) registry.push(d);
}

/** Registered metrics with their declarations. */
export function listMetrics(): { name: string; category: MetricCategory; needs: string[]; ranks: number[]; higherIsBetter: boolean }[] {
  return registry.map(({ name, category, needs, ranks, higherIsBetter }) => ({ name, category, needs: needs.slice(), ranks: ranks.slice(), higherIsBetter }));
}

/** The metric registered under `name` (InvalidInputError listing the names otherwise). */
export function metricDef(name: string): MetricDef<MetricOptions> {
  const hit = registry.find((r) => key(r.name) === key(String(name)));
  if (!hit) throw new InvalidInputError('metric', `unknown metric '${name}'; known: ${registry.map((r) => r.name).join(', ')}`);
  return hit as unknown as MetricDef<MetricOptions>;
}

/** Scores an attribution with a metric (by name or definition): one score per sample. */
export async function evaluate(metric: string | MetricDef<never>, args: EvaluateArgs): Promise<Float32Array> {
  if (!args || typeof args !== 'object') throw new InvalidInputError('args', 'must be { model, x, y, attribution, ... }');
  const def = typeof metric === 'string' ? metricDef(metric) : (metric as unknown as MetricDef<MetricOptions>);
  const { model, x, y, attribution, ...options } = args;
  return runMetric(def, model, x, y, attribution, options as MetricOptions);
}
