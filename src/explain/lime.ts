/**
 * LIME (Ribeiro et al.; Captum's Lime): random coalitions (each feature kept with
 * probability 0.5), weighted by an exponential kernel of the cosine distance to the full
 * coalition in the interpretable (binary) space, fitted by weighted least squares.
 */
import type { Attribution } from './attribution.js';
import { Explainer, type ExplainContext } from './base.js';
import { fitSurrogate, type Coalitions, type SurrogateOptions } from './surrogate.js';
import type { Rng } from '../util/random.js';

/** LIME options. */
export interface LimeOptions extends SurrogateOptions {
  /** Kernel width of exp(-d^2 / width^2) on the cosine distance. Default 1 (Captum's default). */
  kernelWidth?: number;
}

/** Coalitions for LIME: Bernoulli(0.5) features, exponential cosine kernel. */
export function limeCoalitions(count: number, rows: number, rng: Rng, width: number): Coalitions {
  const z = new Uint8Array(rows * count);
  const weights = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let on = 0;
    for (let f = 0; f < count; f++) on += z[r * count + f] = rng.next() < 0.5 ? 1 : 0;
    const cos = on === 0 ? 0 : on / Math.sqrt(on * count);
    const d = 1 - cos;
    weights[r] = Math.exp(-(d * d) / (width * width));
  }
  return { z, weights };
}

/** LIME with a weighted linear surrogate. */
export class Lime extends Explainer<LimeOptions> {
  readonly name = 'Lime';
  protected async run(ctx: ExplainContext, o: LimeOptions): Promise<Attribution> {
    return ctx.attribution(await fitSurrogate(ctx, o, (count, rows, rng) => limeCoalitions(count, rows, rng, o.kernelWidth ?? 1)));
  }
}
