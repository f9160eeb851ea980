/**
 * Helpers shared by the synthetic generators: per-sample seeds, option checks, label assignment.
 */
import { InvalidInputError } from '../../errors.js';
import { Rng } from '../../util/random.js';

/**
 * A 32-bit seed derived from a base seed and indices (murmur3 finaliser mixing). Each sample of a
 * generator draws from `new Rng(deriveSeed(seed, i))`, so sample i depends only on (seed, i): the
 * same seed with other labels gives counterfactual twins that differ only where the class acts.
 */
export function deriveSeed(seed: number, ...indices: number[]): number {
  let h = (seed >>> 0) ^ 0x2545f491;
  for (const i of indices) {
    h = Math.imul(h ^ (i >>> 0), 0xcc9e2d51);
    h = (h << 15) | (h >>> 17);
    h = Math.imul(h, 0x1b873593) ^ 0xe6546b64;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Throws unless `value` is an integer in [min, max]. */
export function checkInt(what: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(what, `must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** Throws unless `value` is a finite number in [min, max]. */
export function checkRange(what: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidInputError(what, `must be a finite number in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** Throws unless `seed` is a finite number (any finite value works; it is reduced to 32 bits). */
export function checkSeed(seed: number): number {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new InvalidInputError('seed', `must be a finite number, got ${seed}`);
  return seed;
}

/**
 * Labels for `n` samples with class counts proportional to `weights` (largest remainders, so
 * equal weights give classes that differ by at most one), in a seeded random order.
 */
export function assignLabels(n: number, weights: number[], rng: Rng): Int32Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (n * w) / total);
  const counts = exact.map(Math.floor);
  const order = exact.map((e, k) => ({ k, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.k - b.k);
  for (let j = 0, left = n - counts.reduce((a, b) => a + b, 0); j < left; j++) counts[order[j].k]++;
  const labels: number[] = [];
  counts.forEach((c, k) => {
    for (let j = 0; j < c; j++) labels.push(k);
  });
  return Int32Array.from(rng.shuffle(labels));
}

/** Checks user-given labels: length `n`, integers in [0, numClasses). */
export function checkLabels(labels: ArrayLike<number>, n: number, numClasses: number): Int32Array {
  if (labels.length !== n) throw new InvalidInputError('labels', `has ${labels.length} entries, expected n = ${n}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new InvalidInputError('labels', `entry ${i} is ${v}, expected an integer class index in [0, ${numClasses})`);
    }
    out[i] = v;
  }
  return out;
}
