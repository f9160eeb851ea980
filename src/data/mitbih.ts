/**
 * MIT-BIH Arrhythmia Database beat dataset (browser-safe core): AAMI EC57 class mapping, the
 * de Chazal inter-patient split, and beat segmentation around annotated R peaks with RR features.
 */
import { InvalidInputError } from '../errors.js';
import type { LabeledDataset } from './types.js';
import type { Annotation } from './annotations.js';
import { resampleSignal } from './resample.js';
import { capEvenlyPerKey } from './mitbih-split.js';

/** AAMI EC57 beat classes, in label order. */
export const AAMI_CLASSES = ['N', 'S', 'V', 'F', 'Q'] as const;

/** MIT-BIH beat symbol to AAMI class (N normal/bundle branch/escape, S supraventricular ectopic, V ventricular ectopic, F fusion, Q paced/unclassifiable). */
export const AAMI_MAP: Readonly<Record<string, (typeof AAMI_CLASSES)[number]>> = {
  N: 'N', L: 'N', R: 'N', e: 'N', j: 'N',
  A: 'S', a: 'S', J: 'S', S: 'S',
  V: 'V', E: 'V',
  F: 'F',
  '/': 'Q', f: 'Q', Q: 'Q',
};

/** AAMI class index of a beat symbol, or -1 when the annotation is not a beat. */
export function aamiClass(symbol: string): number {
  const c = AAMI_MAP[symbol];
  return c === undefined ? -1 : AAMI_CLASSES.indexOf(c);
}

/**
 * de Chazal et al. (IEEE TBME 2004) inter-patient split: DS1 trains, DS2 tests, no patient in both.
 * The paced records 102, 104, 107 and 217 belong to neither (AAMI recommends excluding them).
 * ../shared/data/ecg/mitdb holds DS1 plus the paced records; DS2 is not shipped there.
 */
export const DS1_RECORDS: readonly string[] = ['101', '106', '108', '109', '112', '114', '115', '116', '118', '119', '122', '124', '201', '203', '205', '207', '208', '209', '215', '220', '223', '230'];
/** de Chazal DS2 (test) records. */
export const DS2_RECORDS: readonly string[] = ['100', '103', '105', '111', '113', '117', '121', '123', '200', '202', '210', '212', '213', '214', '219', '221', '222', '228', '231', '232', '233', '234'];
/** Paced records, excluded from both DS1 and DS2. */
export const PACED_RECORDS: readonly string[] = ['102', '104', '107', '217'];

/** A beat dataset: LabeledDataset of shape [N, T, 1] plus per-beat RR features and R-peak positions. */
export interface BeatDataset extends LabeledDataset {
  /** [N, 2] previous and next RR interval of each beat, in seconds. */
  rr: Float32Array;
  /** R-peak sample of each beat in its original record (at the record's own rate). */
  rPeak: Int32Array;
}

/** Options of beat segmentation. */
export interface BeatSegmentOptions {
  /** Window before the R peak (default 0.25 s). */
  before?: number;
  /** Window after the R peak (default 0.45 s). */
  after?: number;
  /** Unit of `before`/`after` (default `seconds`; `samples` counts at the output rate). */
  unit?: 'seconds' | 'samples';
  /** Output sampling rate in Hz (default: the record's rate). */
  resampleTo?: number;
  /** Per-beat normalisation: subtract the window mean, or z-score it (default `none`). */
  normalize?: 'none' | 'baseline' | 'zscore';
  /** Keep at most this many beats per class per record, evenly spaced in time (default all). */
  maxPerClassPerRecord?: number;
}

/**
 * Cuts one window per annotated beat of one lead. Beats whose window leaves the signal, that lack a
 * previous or next beat (for RR), or whose window holds invalid (NaN) samples are dropped.
 * `signal` is at `fs` Hz; annotation samples refer to it. Labels are AAMI class indices.
 */
export function segmentBeats(signal: Float32Array, fs: number, annotations: Annotation[], recordId: string, opts: BeatSegmentOptions = {}): BeatDataset {
  if (!(fs > 0 && Number.isFinite(fs))) throw new InvalidInputError('fs', `must be a positive sampling rate, got ${fs}`);
  if (opts.resampleTo !== undefined && !(opts.resampleTo > 0 && Number.isFinite(opts.resampleTo))) throw new InvalidInputError('resampleTo', `must be a positive rate in Hz, got ${opts.resampleTo}`);
  const outFs = opts.resampleTo ?? fs;
  const { before, after } = windowSamples(opts, outFs);
  const beats = annotations.filter((a) => aamiClass(a.symbol) >= 0);
  const x = outFs === fs ? signal : resampleSignal(signal, fs, outFs);
  const scale = outFs / fs;
  const T = before + after;
  // Candidate beats: full window inside the signal and both neighbours present.
  const keep: number[] = [];
  for (let i = 1; i + 1 < beats.length; i++) {
    const r = Math.round(beats[i].sample * scale);
    if (r - before < 0 || r + after > x.length) continue;
    if (!windowFinite(x, r - before, r + after)) continue;
    keep.push(i);
  }
  const chosen = opts.maxPerClassPerRecord === undefined ? keep : capPerClass(keep, beats, opts.maxPerClassPerRecord);
  const n = chosen.length;
  const out = new Float32Array(n * T);
  const y = new Int32Array(n);
  const rr = new Float32Array(n * 2);
  const rPeak = new Int32Array(n);
  chosen.forEach((i, k) => {
    const r = Math.round(beats[i].sample * scale);
    const w = out.subarray(k * T, (k + 1) * T);
    w.set(x.subarray(r - before, r + after));
    normalizeWindow(w, opts.normalize ?? 'none');
    y[k] = aamiClass(beats[i].symbol);
    rr[2 * k] = (beats[i].sample - beats[i - 1].sample) / fs;
    rr[2 * k + 1] = (beats[i + 1].sample - beats[i].sample) / fs;
    rPeak[k] = beats[i].sample;
  });
  return { x: out, shape: [n, T, 1], y, classNames: [...AAMI_CLASSES], groups: new Array<string>(n).fill(recordId), fs: outFs, rr, rPeak };
}

function windowSamples(opts: BeatSegmentOptions, outFs: number): { before: number; after: number } {
  const unit = opts.unit ?? 'seconds';
  const conv = (v: number | undefined, dflt: number, name: string) => {
    const s = v === undefined ? Math.round(dflt * outFs) : unit === 'seconds' ? Math.round(v * outFs) : v;
    if (!Number.isInteger(s) || s < 0) throw new InvalidInputError(name, `must be a non-negative ${unit === 'samples' ? 'integer number of samples' : 'number of seconds'}, got ${v}`);
    if (s > 60 * outFs) throw new InvalidInputError(name, `window of ${s} samples is longer than a minute: did you mean unit '${unit === 'seconds' ? 'samples' : 'seconds'}'?`);
    return s;
  };
  const before = conv(opts.before, 0.25, 'before');
  const after = conv(opts.after, 0.45, 'after');
  if (before + after === 0) throw new InvalidInputError('before/after', 'the beat window is empty');
  return { before, after };
}

function windowFinite(x: Float32Array, lo: number, hi: number): boolean {
  for (let i = lo; i < hi; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/** Keeps at most `max` beats of each class, evenly spaced among that class's beats. */
function capPerClass(keep: number[], beats: Annotation[], max: number): number[] {
  if (!Number.isInteger(max) || max < 0) throw new InvalidInputError('maxPerClassPerRecord', `must be a non-negative integer, got ${max}`);
  return capEvenlyPerKey(keep, (i) => aamiClass(beats[i].symbol), max);
}

function normalizeWindow(w: Float32Array, mode: 'none' | 'baseline' | 'zscore'): void {
  if (mode === 'none') return;
  let mean = 0;
  for (let i = 0; i < w.length; i++) mean += w[i];
  mean /= w.length;
  let inv = 1;
  if (mode === 'zscore') {
    let v = 0;
    for (let i = 0; i < w.length; i++) v += (w[i] - mean) ** 2;
    const std = Math.sqrt(v / w.length);
    inv = std > 1e-8 ? 1 / std : 1; // a flat window stays flat instead of blowing up
  }
  for (let i = 0; i < w.length; i++) w[i] = (w[i] - mean) * inv;
}

/** Concatenates beat datasets with the same window length and rate (e.g. one per record). */
export function concatBeatDatasets(parts: BeatDataset[]): BeatDataset {
  if (parts.length === 0) return { x: new Float32Array(0), shape: [0, 0, 1], y: new Int32Array(0), classNames: [...AAMI_CLASSES], groups: [], rr: new Float32Array(0), rPeak: new Int32Array(0) };
  const T = parts[0].shape[1];
  const fs = parts[0].fs;
  for (const p of parts) {
    if (p.shape[1] !== T || p.fs !== fs) throw new InvalidInputError('parts', `beat windows differ (${p.shape[1]} samples at ${p.fs} Hz vs ${T} at ${fs} Hz)`);
  }
  const n = parts.reduce((s, p) => s + p.shape[0], 0);
  const out: BeatDataset = { x: new Float32Array(n * T), shape: [n, T, 1], y: new Int32Array(n), classNames: [...AAMI_CLASSES], groups: [], fs, rr: new Float32Array(2 * n), rPeak: new Int32Array(n) };
  let k = 0;
  for (const p of parts) {
    out.x.set(p.x, k * T);
    out.y.set(p.y, k);
    out.rr.set(p.rr, 2 * k);
    out.rPeak.set(p.rPeak, k);
    out.groups!.push(...(p.groups ?? []));
    k += p.shape[0];
  }
  return out;
}
