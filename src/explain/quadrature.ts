/**
 * Path-integral rules for integrated gradients, as in Captum: Riemann left/right/middle/
 * trapezoid and Gauss-Legendre, as nodes in [0, 1] with weights summing to 1.
 */
import { InvalidInputError } from '../errors.js';

/** Integration rule names. */
export type IntegrationRule = 'riemann_left' | 'riemann_right' | 'riemann_middle' | 'riemann_trapezoid' | 'gausslegendre';

/** Nodes (alphas) and weights of `steps`-point `rule` on [0, 1]. */
export function quadrature(rule: IntegrationRule, steps: number): { alphas: Float64Array; weights: Float64Array } {
  if (!Number.isInteger(steps) || steps < 1) throw new InvalidInputError('steps', `must be a positive integer, got ${steps}`);
  const alphas = new Float64Array(steps), weights = new Float64Array(steps);
  switch (rule) {
    case 'riemann_left':
    case 'riemann_right':
    case 'riemann_middle': {
      const shift = rule === 'riemann_left' ? 0 : rule === 'riemann_right' ? 1 : 0.5;
      for (let i = 0; i < steps; i++) {
        alphas[i] = (i + shift) / steps;
        weights[i] = 1 / steps;
      }
      break;
    }
    case 'riemann_trapezoid': {
      if (steps < 2) throw new InvalidInputError('steps', 'the trapezoid rule needs at least 2 steps');
      for (let i = 0; i < steps; i++) {
        alphas[i] = i / (steps - 1);
        weights[i] = (i === 0 || i === steps - 1 ? 0.5 : 1) / (steps - 1);
      }
      break;
    }
    case 'gausslegendre': {
      // Legendre roots by Newton's method from Chebyshev guesses (no library offers this in JS).
      for (let i = 0; i < steps; i++) {
        let x = Math.cos((Math.PI * (i + 0.75)) / (steps + 0.5));
        let dp = 0;
        for (let it = 0; it < 100; it++) {
          let p0 = 1, p1 = x;
          for (let k = 2; k <= steps; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
          const p = steps === 1 ? x : p1;
          const pPrev = steps === 1 ? 1 : p0;
          dp = (steps * (x * p - pPrev)) / (x * x - 1);
          const dx = p / dp;
          x -= dx;
          if (Math.abs(dx) < 1e-15) break;
        }
        if (steps === 1) dp = 1;
        alphas[i] = (1 - x) / 2;
        weights[i] = steps === 1 ? 1 : 1 / ((1 - x * x) * dp * dp);
      }
      break;
    }
    default:
      throw new InvalidInputError('method', `unknown integration rule '${rule}' (riemann_left, riemann_right, riemann_middle, riemann_trapezoid, gausslegendre)`);
  }
  return { alphas, weights };
}
