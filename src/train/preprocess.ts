/**
 * Input preprocessing for training and prediction (browser-safe): per-channel standardisation
 * with statistics from the training part only, and class selection with label remapping.
 */
import { InvalidInputError } from '../errors.js';
import type { LabeledDataset } from '../data/types.js';
import { subsetDataset } from '../data/mitbih-split.js';

/** Per-channel mean and standard deviation over all samples and positions (channels last). */
export function channelStats(x: Float32Array, channels: number): { mean: number[]; std: number[] } {
  const sum = new Float64Array(channels);
  const sq = new Float64Array(channels);
  const count = x.length / channels;
  for (let i = 0; i < x.length; i++) sum[i % channels] += x[i];
  const mean = Array.from(sum, (s) => s / count);
  for (let i = 0; i < x.length; i++) sq[i % channels] += (x[i] - mean[i % channels]) ** 2;
  // a constant channel keeps std 1 so standardising never divides by zero
  const std = Array.from(sq, (s) => Math.sqrt(s / count) || 1);
  return { mean, std };
}

/** (x - mean[c]) / std[c] per channel (channels last), as a new array. */
export function standardize(x: Float32Array, mean: number[], std: number[]): Float32Array {
  const c = mean.length;
  if (std.length !== c) throw new InvalidInputError('preprocessing', `mean has ${c} channels, std ${std.length}`);
  if (x.length % c !== 0) throw new InvalidInputError('input', `${x.length} values are not a multiple of ${c} channels`);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] - mean[i % c]) / std[i % c];
  return out;
}

/**
 * Keeps only samples of the classes named in `keep` (in that label order), e.g. the AAMI N, S, V, F
 * classes; other samples are dropped and labels renumbered.
 */
export function selectClasses<T extends LabeledDataset>(ds: T, keep: string[]): T {
  const map = keep.map((name) => {
    const i = ds.classNames.indexOf(name);
    if (i < 0) throw new InvalidInputError('classes', `'${name}' is not a class of the data (classes: ${ds.classNames.join(', ')})`);
    return i;
  });
  if (keep.length < 2) throw new InvalidInputError('classes', 'needs at least 2 classes');
  const idx: number[] = [];
  for (let i = 0; i < ds.y.length; i++) if (map.includes(ds.y[i])) idx.push(i);
  const sub = subsetDataset(ds as LabeledDataset & { rr?: Float32Array }, idx) as unknown as T;
  sub.y = Int32Array.from(sub.y, (v) => map.indexOf(v));
  sub.classNames = keep.slice();
  return sub;
}

/** Z-scores each sample (row of `size` values) on its own, as beat windows are for MIT-BIH; a flat row only loses its mean. */
export function zscoreRows(x: Float32Array, size: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let s = 0; s < x.length; s += size) {
    let mean = 0;
    for (let i = s; i < s + size; i++) mean += x[i];
    mean /= size;
    let v = 0;
    for (let i = s; i < s + size; i++) v += (x[i] - mean) ** 2;
    const std = Math.sqrt(v / size);
    const inv = std > 1e-8 ? 1 / std : 1;
    for (let i = s; i < s + size; i++) out[i] = (x[i] - mean) * inv;
  }
  return out;
}
