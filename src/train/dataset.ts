/**
 * Dataset helpers for training (browser-safe): validation of a LabeledDataset, subsets,
 * validation splits (by sample or by group so a record never lands on both sides), class weights
 * and mini-batch assembly.
 */
import { InvalidInputError } from '../errors.js';
import type { LabeledDataset } from '../data/types.js';
import { Rng } from '../util/random.js';
import { splitByGroup, subsetDataset } from '../data/mitbih-split.js';

export { subsetDataset };

/** Number of values in one sample (product of the non-batch dimensions). */
export function sampleSize(shape: number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

/**
 * Checks that `ds` is consistent: shape matches x and y, every value finite, every label in
 * [0, classes). `what` names the dataset in the error (e.g. `training data`).
 */
export function validateDataset(ds: LabeledDataset, what = 'dataset'): void {
  const { x, y, shape, classNames } = ds;
  if (shape.length < 2 || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new InvalidInputError(what, `shape [${shape.join(', ')}] must be [N, ...sample dims] with non-negative integers`);
  }
  const n = shape[0];
  if (x.length !== n * sampleSize(shape)) {
    throw new InvalidInputError(what, `x has ${x.length} values but shape [${shape.join(', ')}] needs ${n * sampleSize(shape)}`);
  }
  if (y.length !== n) throw new InvalidInputError(what, `y has ${y.length} labels for ${n} samples`);
  if (ds.groups && ds.groups.length !== n) throw new InvalidInputError(what, `groups has ${ds.groups.length} entries for ${n} samples`);
  if (classNames.length < 2) throw new InvalidInputError(what, `needs at least 2 class names, got ${classNames.length}`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new InvalidInputError(what, `value ${x[i]} (NaN/Inf) in sample ${Math.floor(i / sampleSize(shape))}`);
    }
  }
  for (let i = 0; i < n; i++) {
    if (!(y[i] >= 0 && y[i] < classNames.length)) {
      throw new InvalidInputError(what, `label ${y[i]} of sample ${i} is outside [0, ${classNames.length})`);
    }
  }
}

/**
 * Splits off about `fraction` of `ds` for validation, seeded. With `byGroup` (and groups present)
 * whole groups go to one side (`splitByGroup`), so a record or patient is never in both parts.
 */
export function validationSplit(
  ds: LabeledDataset,
  fraction: number,
  seed: number,
  byGroup = true,
): { train: LabeledDataset; validation: LabeledDataset; validationGroups?: string[] } {
  if (!(fraction > 0 && fraction < 1)) throw new InvalidInputError('validation fraction', `${fraction} must be in (0, 1)`);
  if (byGroup && ds.groups) {
    const split = splitByGroup(ds, { valFraction: fraction, seed });
    return { train: split.train, validation: split.val, validationGroups: split.valGroups };
  }
  const n = ds.shape[0];
  const order = new Rng(seed).shuffle(Array.from({ length: n }, (_, i) => i));
  const nVal = Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
  const valIdx = order.slice(0, nVal).sort((a, b) => a - b);
  const trainIdx = order.slice(nVal).sort((a, b) => a - b);
  return { train: subsetDataset(ds, trainIdx), validation: subsetDataset(ds, valIdx) };
}

/**
 * Per-class loss weights. `balanced` gives n / (k * count_c) (as scikit-learn), 0 for a class
 * absent from `y`; an explicit array is checked for length and positivity.
 */
export function classWeights(y: ArrayLike<number>, numClasses: number, spec: 'balanced' | number[]): number[] {
  if (spec === 'balanced') {
    return classCounts(y, numClasses).map((c) => (c ? y.length / (numClasses * c) : 0));
  }
  if (spec.length !== numClasses || spec.some((w) => !(Number.isFinite(w) && w >= 0))) {
    throw new InvalidInputError('classWeights', `needs ${numClasses} finite non-negative numbers, got [${spec.join(', ')}]`);
  }
  return spec.slice();
}

/** Copies the samples at `indices` into one flat batch buffer. */
export function gatherBatch(ds: LabeledDataset, indices: ArrayLike<number>): { x: Float32Array; y: Int32Array } {
  const size = sampleSize(ds.shape);
  const x = new Float32Array(indices.length * size);
  const y = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    x.set(ds.x.subarray(indices[i] * size, (indices[i] + 1) * size), i * size);
    y[i] = ds.y[indices[i]];
  }
  return { x, y };
}

/** Count of samples per class. */
export function classCounts(y: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < y.length; i++) counts[y[i]]++;
  return counts;
}
