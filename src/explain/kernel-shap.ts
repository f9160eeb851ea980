/**
 * KernelSHAP (Lundberg & Lee): coalition sizes drawn from the Shapley kernel
 * (F - 1) / (k (F - k)), members uniform, unit weights; the empty and full coalitions get a
 * large weight so the fit (nearly) satisfies efficiency: sum = f(x) - f(baseline). Small
 * feature counts are enumerated exactly.
 */
import type { Attribution } from './attribution.js';
import { Explainer, type ExplainContext } from './base.js';
import { fitSurrogate, type Coalitions, type SurrogateOptions } from './surrogate.js';
import type { Rng } from '../util/random.js';

/** Every proper coalition with its exact Shapley kernel weight, plus empty and full (weight 1e6). */
function allCoalitions(count: number): Coalitions {
  const total = 2 ** count;
  const z = new Uint8Array(total * count);
  const weights = new Float64Array(total);
  const choose = (n: number, k: number): number => (k === 0 ? 1 : (choose(n, k - 1) * (n - k + 1)) / k);
  for (let r = 0; r < total; r++) {
    let k = 0;
    for (let f = 0; f < count; f++) k += z[r * count + f] = (r >> f) & 1;
    weights[r] = k === 0 || k === count ? 1e6 : (count - 1) / (choose(count, k) * k * (count - k));
  }
  return { z, weights };
}

/**
 * Coalitions sampled by the Shapley kernel, plus empty and full with weight 1e6. When the
 * budget covers every coalition (2^F <= rows), all are enumerated with exact kernel weights,
 * which makes the fit the exact Shapley values.
 */
export function shapleyKernelCoalitions(count: number, rows: number, rng: Rng): Coalitions {
  if (count <= 20 && 2 ** count <= rows) return allCoalitions(count);
  const z = new Uint8Array(rows * count);
  const weights = new Float64Array(rows).fill(1);
  z.fill(1, (rows - 1) * count); // last row: full coalition; row 0 stays empty
  weights[0] = weights[rows - 1] = 1e6;
  const sizeWeights = Array.from({ length: Math.max(0, count - 1) }, (_, i) => (count - 1) / ((i + 1) * (count - i - 1)));
  const total = sizeWeights.reduce((a, b) => a + b, 0);
  for (let r = 1; r < rows - 1; r++) {
    let u = rng.next() * total, k = 1;
    while (k < count - 1 && u > sizeWeights[k - 1]) u -= sizeWeights[k++ - 1];
    const members = rng.shuffle([...Array(count).keys()]).slice(0, count > 1 ? k : 1);
    for (const f of members) z[r * count + f] = 1;
  }
  return { z, weights };
}

/** KernelSHAP. */
export class KernelShap extends Explainer<SurrogateOptions> {
  readonly name = 'KernelShap';
  protected async run(ctx: ExplainContext, o: SurrogateOptions): Promise<Attribution> {
    return ctx.attribution(await fitSurrogate(ctx, o, shapleyKernelCoalitions));
  }
}
