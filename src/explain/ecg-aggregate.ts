/**
 * ECG aggregation of an attribution: relevance summed per P wave, QRS complex, T wave, RR
 * interval and beat, from LUDB-style wave segments (expert annotations), per-sample wave codes
 * (the synthetic generators' 0 none / 1 P / 2 QRS / 3 T) or the built-in delineator. Each
 * region reports its sum, its fraction of the total relevance, its mean per sample (density)
 * and its relative density (fraction of relevance / fraction of samples: 1 = as much as a
 * region of that length gets under uniform relevance), which corrects for wave length.
 */
import { InvalidInputError } from '../errors.js';
import type { WaveSegment } from '../data/annotations.js';
import { delineateEcg } from '../data/delineate.js';
import type { Attribution } from './attribution.js';

/** Relevance of one region (or of all regions of one kind). */
export interface RegionRelevance {
  /** Samples covered. */
  samples: number;
  sum: number;
  /** sum / total relevance of the signal (0 when the total is 0). */
  fraction: number;
  /** sum / samples. */
  density: number;
  /** fraction / (samples / signal length). */
  relativeDensity: number;
}

/** One beat: from halfway after the previous R peak to halfway before the next. */
export interface BeatRelevance extends RegionRelevance {
  r: number;
  start: number;
  /** Exclusive. */
  end: number;
  /** Relevance of this beat's waves (absent waves omitted). */
  p?: RegionRelevance;
  qrs?: RegionRelevance;
  t?: RegionRelevance;
}

/** One RR interval [r, nextR). */
export interface RrRelevance extends RegionRelevance {
  from: number;
  to: number;
}

/** Aggregated relevance of a single-lead signal. */
export interface EcgRelevanceSummary {
  length: number;
  total: number;
  /** All P waves / QRS complexes / T waves / samples in no wave. */
  waves: { P: RegionRelevance; QRS: RegionRelevance; T: RegionRelevance; none: RegionRelevance };
  beats: BeatRelevance[];
  rr: RrRelevance[];
  /** Where the wave segments came from. */
  source: 'segments' | 'codes' | 'delineator';
}

/** Where the waves come from: segments, per-sample codes, or a signal to delineate. */
export interface EcgAggregateOptions {
  /** LUDB-style segments (`p`, `N`, `t`), e.g. from `readWaveAnnotations` or `delineateEcg`. */
  segments?: WaveSegment[];
  /** Per-sample wave codes 0 none / 1 P / 2 QRS / 3 T (synthetic generators, `waveLabels`). */
  codes?: ArrayLike<number>;
  /** The signal and its sampling rate, delineated when neither segments nor codes are given. */
  signal?: ArrayLike<number>;
  fs?: number;
  /** R peaks for beats and RR intervals; default: the QRS peaks (segments) or QRS run centres (codes). */
  rPeaks?: ArrayLike<number>;
}

/** Per-sample codes (0 none, 1 P, 2 QRS, 3 T) from segments; later segments win where they overlap. */
export function codesFromSegments(segments: WaveSegment[], length: number): Uint8Array {
  const code: Record<string, number> = { p: 1, N: 2, t: 3 };
  const out = new Uint8Array(length);
  for (const s of segments) {
    const c = code[s.wave];
    if (!c) continue;
    for (let i = Math.max(0, s.onset); i <= Math.min(length - 1, s.offset); i++) out[i] = c;
  }
  return out;
}

/** Segments (onset, centre as peak, offset) of the runs of each nonzero code. */
export function segmentsFromCodes(codes: ArrayLike<number>): WaveSegment[] {
  const names = ['', 'p', 'N', 't'];
  const out: WaveSegment[] = [];
  let i = 0;
  while (i < codes.length) {
    const c = codes[i];
    let j = i;
    while (j < codes.length && codes[j] === c) j++;
    if (c >= 1 && c <= 3) out.push({ wave: names[c], onset: i, peak: Math.floor((i + j - 1) / 2), offset: j - 1 });
    else if (c !== 0) throw new InvalidInputError('codes', `wave code ${c} at sample ${i} is not 0, 1, 2 or 3`);
    i = j;
  }
  return out;
}

/** Sums relevance over [start, end) (inclusive offset handled by callers). */
function region(rel: ArrayLike<number>, start: number, end: number, total: number, length: number): RegionRelevance {
  const a = Math.max(0, start), b = Math.min(length, end);
  let sum = 0;
  for (let i = a; i < b; i++) sum += rel[i];
  const samples = Math.max(0, b - a);
  return summary(sum, samples, total, length);
}

function summary(sum: number, samples: number, total: number, length: number): RegionRelevance {
  const fraction = total !== 0 ? sum / total : 0;
  return { samples, sum, fraction, density: samples ? sum / samples : 0, relativeDensity: samples ? fraction / (samples / length) : 0 };
}

/**
 * Aggregates a single-lead relevance vector (length T) per wave, beat and RR interval. Pass
 * non-negative relevance (e.g. `attribution.withSign('absolute')`) for fractions that read as
 * shares; signed relevance is summed as is.
 */
export function aggregateEcgRelevance(relevance: ArrayLike<number>, options: EcgAggregateOptions): EcgRelevanceSummary {
  const length = relevance.length;
  if (length === 0) throw new InvalidInputError('relevance', 'is empty');
  for (let i = 0; i < length; i++) if (!Number.isFinite(relevance[i])) throw new InvalidInputError('relevance', `NaN or Inf at sample ${i}`);
  let segments: WaveSegment[];
  let codes: Uint8Array;
  let source: EcgRelevanceSummary['source'];
  if (options.segments) {
    segments = options.segments;
    codes = codesFromSegments(segments, length);
    source = 'segments';
  } else if (options.codes) {
    if (options.codes.length !== length) throw new InvalidInputError('codes', `${options.codes.length} codes for ${length} relevance values`);
    codes = Uint8Array.from(options.codes);
    segments = segmentsFromCodes(codes);
    source = 'codes';
  } else if (options.signal && options.fs) {
    if (options.signal.length !== length) throw new InvalidInputError('signal', `${options.signal.length} samples for ${length} relevance values`);
    segments = delineateEcg(options.signal, options.fs, options.rPeaks ? { rPeaks: options.rPeaks } : {}).waves;
    codes = codesFromSegments(segments, length);
    source = 'delineator';
  } else throw new InvalidInputError('options', 'give wave segments, per-sample wave codes, or the signal with fs to delineate');

  let total = 0;
  const byCode = [0, 0, 0, 0], countByCode = [0, 0, 0, 0];
  for (let i = 0; i < length; i++) {
    total += relevance[i];
    byCode[codes[i]] += relevance[i];
    countByCode[codes[i]]++;
  }
  const waves = {
    none: summary(byCode[0], countByCode[0], total, length),
    P: summary(byCode[1], countByCode[1], total, length),
    QRS: summary(byCode[2], countByCode[2], total, length),
    T: summary(byCode[3], countByCode[3], total, length),
  };
  const qrs = segments.filter((s) => s.wave === 'N');
  const rPeaks = options.rPeaks ? Array.from(options.rPeaks) : qrs.map((s) => s.peak);
  rPeaks.sort((a, b) => a - b);
  if (rPeaks.some((r) => !Number.isInteger(r) || r < 0 || r >= length)) throw new InvalidInputError('rPeaks', `must be sample indices in [0, ${length})`);
  const beats: BeatRelevance[] = rPeaks.map((r, k) => {
    const start = k > 0 ? Math.ceil((rPeaks[k - 1] + r) / 2) : 0;
    const end = k + 1 < rPeaks.length ? Math.ceil((r + rPeaks[k + 1]) / 2) : length;
    const beat: BeatRelevance = { r, start, end, ...region(relevance, start, end, total, length) };
    for (const [key, wave] of [['p', 'p'], ['qrs', 'N'], ['t', 't']] as const) {
      // the wave of this beat: the one nearest to R inside the beat's span
      const own = segments.filter((s) => s.wave === wave && s.peak >= start && s.peak < end).sort((a, b) => Math.abs(a.peak - r) - Math.abs(b.peak - r))[0];
      if (own) beat[key] = region(relevance, own.onset, own.offset + 1, total, length);
    }
    return beat;
  });
  const rr: RrRelevance[] = rPeaks.slice(1).map((to, k) => ({ from: rPeaks[k], to, ...region(relevance, rPeaks[k], to, total, length) }));
  return { length, total, waves, beats, rr, source };
}

/**
 * Aggregates sample `sample` of an ECG attribution ([N, T, C] or [N, T]): `lead` picks one
 * channel, default the sum over leads. `sign` is applied first (default 'absolute').
 */
export function aggregateEcgAttribution(
  attribution: Attribution,
  options: EcgAggregateOptions & { sample?: number; lead?: number; sign?: 'all' | 'positive' | 'negative' | 'absolute' } = {},
): EcgRelevanceSummary {
  if (attribution.rank !== 1) throw new InvalidInputError('attribution', `ECG aggregation needs a signal attribution (rank 1), got rank ${attribution.rank}`);
  const a = attribution.withSign(options.sign ?? 'absolute');
  const values = a.sampleValues(options.sample ?? 0);
  const channels = a.shape.length === 3 ? a.shape[2] : 1;
  const t = values.length / channels;
  const lead = options.lead;
  if (lead !== undefined && !(Number.isInteger(lead) && lead >= 0 && lead < channels)) throw new InvalidInputError('lead', `${lead} outside [0, ${channels})`);
  const rel = new Float64Array(t);
  for (let i = 0; i < t; i++) {
    if (lead !== undefined) rel[i] = values[i * channels + lead];
    else for (let c = 0; c < channels; c++) rel[i] += values[i * channels + c];
  }
  return aggregateEcgRelevance(rel, options);
}
