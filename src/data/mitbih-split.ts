/**
 * Group-aware dataset helpers (browser-safe): class-balance reports and record-level splits that
 * keep every group (record, patient) on one side, as inter-patient evaluation requires.
 */
import { InvalidInputError } from '../errors.js';
import { Rng } from '../util/random.js';
import type { LabeledDataset } from './types.js';

/** Per-sample extras that subsets carry along when present (e.g. RR features of beats). */
interface PerSampleExtras {
  /** [N, 2] RR features. */
  rr?: Float32Array;
  /** [N] R-peak positions. */
  rPeak?: Int32Array;
}

/** Class counts overall and per group. */
export interface ClassBalance {
  classNames: string[];
  /** Samples per class. */
  total: number[];
  /** Samples per class for each group, in first-seen order (only when the dataset has groups). */
  perGroup: { group: string; counts: number[] }[];
}

/** Counts samples per class, overall and per group. */
export function classBalance(ds: LabeledDataset): ClassBalance {
  const k = ds.classNames.length;
  const total = new Array<number>(k).fill(0);
  const byGroup = new Map<string, number[]>();
  for (let i = 0; i < ds.y.length; i++) {
    const c = ds.y[i];
    if (!(c >= 0 && c < k)) throw new InvalidInputError('y', `label ${c} at sample ${i} outside 0..${k - 1}`);
    total[c]++;
    const g = ds.groups?.[i];
    if (g !== undefined) {
      let row = byGroup.get(g);
      if (!row) byGroup.set(g, (row = new Array<number>(k).fill(0)));
      row[c]++;
    }
  }
  return { classNames: [...ds.classNames], total, perGroup: [...byGroup].map(([group, counts]) => ({ group, counts })) };
}

/** Formats a class balance as an aligned text table (one row per group, then the total with percentages). */
export function formatClassBalance(b: ClassBalance): string {
  const w = 8;
  const row = (name: string, counts: number[]) => name.padEnd(w) + counts.map((c) => String(c).padStart(w)).join('') + String(counts.reduce((s, c) => s + c, 0)).padStart(w);
  const lines = [''.padEnd(w) + b.classNames.map((c) => c.padStart(w)).join('') + 'all'.padStart(w)];
  for (const g of b.perGroup) lines.push(row(g.group, g.counts));
  lines.push(row('total', b.total));
  const n = b.total.reduce((s, c) => s + c, 0);
  lines.push('%'.padEnd(w) + b.total.map((c) => (n === 0 ? '0.0' : ((100 * c) / n).toFixed(1)).padStart(w)).join(''));
  return lines.join('\n');
}

/** Selects samples by index (x, y, groups, and rr/rPeak when present), keeping the sample shape. */
export function subsetDataset<T extends LabeledDataset & PerSampleExtras>(ds: T, indices: ArrayLike<number>): T {
  const n = ds.shape[0];
  const per = n === 0 ? 0 : ds.x.length / n;
  const m = indices.length;
  const x = new Float32Array(m * per);
  const y = new Int32Array(m);
  const groups = ds.groups ? new Array<string>(m) : undefined;
  const rr = ds.rr ? new Float32Array(2 * m) : undefined;
  const rPeak = ds.rPeak ? new Int32Array(m) : undefined;
  for (let k = 0; k < m; k++) {
    const i = indices[k];
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new InvalidInputError('indices', `index ${i} outside 0..${n - 1}`);
    x.set(ds.x.subarray(i * per, (i + 1) * per), k * per);
    y[k] = ds.y[i];
    if (groups) groups[k] = ds.groups![i];
    if (rr) rr.set(ds.rr!.subarray(2 * i, 2 * i + 2), 2 * k);
    if (rPeak) rPeak[k] = ds.rPeak![i];
  }
  const out = { ...ds, x, y, shape: [m, ...ds.shape.slice(1)] } as T;
  if (groups) out.groups = groups;
  if (rr) out.rr = rr;
  if (rPeak) out.rPeak = rPeak;
  return out;
}

/** Options of `splitByGroup`. */
export interface GroupSplitOptions {
  /** Target fraction of samples on the validation side (0 < f < 1). */
  valFraction: number;
  /** Seed of the group shuffle. */
  seed: number;
}

/** A group-level split. */
export interface GroupSplit<T> {
  train: T;
  val: T;
  trainGroups: string[];
  valGroups: string[];
  trainIndices: Int32Array;
  valIndices: Int32Array;
}

/**
 * Splits by group so no group is on both sides: groups are shuffled with the seed and moved to the
 * validation side until it holds at least `valFraction` of the samples (one group at least, and at
 * least one group stays for training).
 */
export function splitByGroup<T extends LabeledDataset & PerSampleExtras>(ds: T, opts: GroupSplitOptions): GroupSplit<T> {
  if (!ds.groups) throw new InvalidInputError('dataset', 'has no groups: a group-level split needs a group (record id) per sample');
  if (!(opts.valFraction > 0 && opts.valFraction < 1)) throw new InvalidInputError('valFraction', `must be in (0, 1), got ${opts.valFraction}`);
  const sizes = new Map<string, number>();
  for (const g of ds.groups) sizes.set(g, (sizes.get(g) ?? 0) + 1);
  const names = [...sizes.keys()].sort();
  if (names.length < 2) throw new InvalidInputError('dataset', `has ${names.length} group(s); a group-level split needs at least 2`);
  new Rng(opts.seed).shuffle(names);
  const target = opts.valFraction * ds.groups.length;
  const valSet = new Set<string>();
  let valCount = 0;
  for (const g of names) {
    if (valCount >= target || valSet.size === names.length - 1) break;
    valSet.add(g);
    valCount += sizes.get(g)!;
  }
  const trainIdx: number[] = [];
  const valIdx: number[] = [];
  ds.groups.forEach((g, i) => (valSet.has(g) ? valIdx : trainIdx).push(i));
  return {
    train: subsetDataset(ds, trainIdx),
    val: subsetDataset(ds, valIdx),
    trainGroups: names.filter((g) => !valSet.has(g)).sort(),
    valGroups: [...valSet].sort(),
    trainIndices: Int32Array.from(trainIdx),
    valIndices: Int32Array.from(valIdx),
  };
}

/**
 * Keeps at most `max` of `indices` per key (e.g. class, or record + class), evenly spaced within
 * each key's indices in order; returns the kept indices ascending. Used by the loader's and the
 * training pipeline's per-record class caps.
 */
export function capEvenlyPerKey<K>(indices: readonly number[], keyOf: (i: number) => K, max: number): number[] {
  const buckets = new Map<K, number[]>();
  for (const i of indices) {
    const key = keyOf(i);
    const list = buckets.get(key);
    if (list) list.push(i);
    else buckets.set(key, [i]);
  }
  const out: number[] = [];
  for (const list of buckets.values()) {
    if (list.length <= max) out.push(...list);
    else for (let j = 0; j < max; j++) out.push(list[Math.floor(((j + 0.5) * list.length) / max)]);
  }
  return out.sort((a, b) => a - b);
}
