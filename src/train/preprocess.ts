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

/**
 * Adds two channels to beat windows [N, T, 1]: the preceding and the following RR interval, each
 * divided by the mean RR of the beat's group (record), constant over the window. Prematurity
 * relative to the patient's own rhythm is the main evidence for S beats (de Chazal et al., 2004)
 * and is not visible inside one beat window. Group means use every beat passed in, so call it
 * before any class-dependent subsampling.
 */
export function appendRrChannels(x: Float32Array, shape: number[], rr: Float32Array, groups?: string[]): { x: Float32Array; shape: number[] } {
  const [n, t, c] = shape;
  if (c !== 1 || rr.length !== 2 * n) throw new InvalidInputError('rr features', `need beats [N, T, 1] with rr [N, 2]; got [${shape}] and ${rr.length} RR values`);
  const sums = new Map<string, { s: number; k: number }>();
  for (let i = 0; i < n; i++) {
    const g = groups?.[i] ?? '';
    const e = sums.get(g) ?? { s: 0, k: 0 };
    e.s += rr[2 * i];
    e.k++;
    sums.set(g, e);
  }
  const out = new Float32Array(n * t * 3);
  for (let i = 0; i < n; i++) {
    const e = sums.get(groups?.[i] ?? '')!;
    const mean = e.s / e.k || 1;
    const prev = rr[2 * i] / mean;
    const next = rr[2 * i + 1] / mean;
    for (let j = 0; j < t; j++) {
      const o = (i * t + j) * 3;
      out[o] = x[i * t + j];
      out[o + 1] = prev;
      out[o + 2] = next;
    }
  }
  return { x: out, shape: [n, t, 3] };
}
