/**
 * A simple, documented single-lead ECG delineator (browser-safe), for aggregating explanations
 * per wave when no expert annotations exist. Hand-written: no maintained JavaScript ECG
 * delineation library exists on npm. Steps:
 * 1. Baseline: two passes of median filtering (200 ms then 600 ms, de Chazal et al. 2004) removed.
 * 2. R peaks (Pan & Tompkins 1985, simplified): band-pass as a difference of moving averages
 *    (~5-15 Hz), derivative, squaring, 150 ms moving-window integration; local maxima at least
 *    200 ms apart are QRS when above the adaptive threshold NPK + 0.25 (SPK - NPK), with
 *    search-back at half the threshold when no QRS came for 1.66 mean RR. The R peak is the
 *    largest |signal| within 80 ms of the integrator's maximum.
 * 3. QRS onset/offset by slope thresholds: the first/last sample within 100 ms before / 120 ms
 *    after R whose |slope| (of the 20 ms-smoothed signal) exceeds 20% of the QRS's largest slope.
 * 4. P and T by windowed search for the extremum relative to the chord of the window (the line
 *    through the window's end values, robust to ST deviation): P in [QRS onset - 250 ms, onset -
 *    10 ms], T in [QRS offset + 80 ms, offset + min(450 ms, 0.6 RR)]; each wave's onset/offset is
 *    where that deviation falls below 25% of its peak. A wave smaller than 4% of the R amplitude
 *    (relative to the signal at QRS onset) is reported absent.
 * Waves are LUDB-style segments: `p`, `N` (QRS) and `t` with onset, peak and offset samples.
 */
import { InvalidInputError } from '../errors.js';
import type { WaveSegment } from './annotations.js';

/** Result of `delineateEcg`. */
export interface Delineation {
  /** R-peak samples, ascending. */
  rPeaks: Int32Array;
  /** P waves, QRS complexes and T waves in time order (`p`, `N`, `t`). */
  waves: WaveSegment[];
}

function checkSignal(signal: ArrayLike<number>, fs: number): void {
  if (!(fs >= 50 && fs <= 10000)) throw new InvalidInputError('fs', `sampling rate ${fs} Hz outside [50, 10000]`);
  if (signal.length < fs) throw new InvalidInputError('signal', `needs at least 1 s of samples (${fs}), got ${signal.length}`);
  for (let i = 0; i < signal.length; i++) if (!Number.isFinite(signal[i])) throw new InvalidInputError('signal', `NaN or Inf at sample ${i}`);
}

/** Centred moving average of odd width (shrinking at the edges). */
export function movingAverage(x: ArrayLike<number>, width: number): Float64Array {
  const r = Math.max(0, Math.floor(width / 2));
  const prefix = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) prefix[i + 1] = prefix[i] + x[i];
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const a = Math.max(0, i - r), b = Math.min(x.length, i + r + 1);
    out[i] = (prefix[b] - prefix[a]) / (b - a);
  }
  return out;
}

/** Centred running median of odd width (window clipped at the edges); O(N w). */
export function medianFilter(x: ArrayLike<number>, width: number): Float64Array {
  const r = Math.max(0, Math.floor(width / 2));
  const out = new Float64Array(x.length);
  // sorted window maintained by insertion/removal (w is a few hundred samples)
  const win: number[] = [];
  const insert = (v: number) => {
    let lo = 0, hi = win.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (win[m] < v) lo = m + 1; else hi = m; }
    win.splice(lo, 0, v);
  };
  const remove = (v: number) => {
    let lo = 0, hi = win.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (win[m] < v) lo = m + 1; else hi = m; }
    win.splice(lo, 1);
  };
  for (let i = 0; i < Math.min(r, x.length); i++) insert(x[i]);
  for (let i = 0; i < x.length; i++) {
    if (i + r < x.length) insert(x[i + r]);
    if (i - r - 1 >= 0) remove(x[i - r - 1]);
    const n = win.length;
    out[i] = n % 2 ? win[(n - 1) / 2] : 0.5 * (win[n / 2 - 1] + win[n / 2]);
  }
  return out;
}

/** The signal minus its baseline wander (200 ms then 600 ms median filters). */
export function removeBaseline(signal: ArrayLike<number>, fs: number): Float64Array {
  const odd = (s: number) => 2 * Math.round((s * fs) / 2) + 1;
  const base = medianFilter(medianFilter(signal, odd(0.2)), odd(0.6));
  return Float64Array.from(signal, (v, i) => v - base[i]);
}

/** R peaks by the simplified Pan-Tompkins detector described in the file comment. */
export function detectRPeaks(signal: ArrayLike<number>, fs: number): Int32Array {
  checkSignal(signal, fs);
  const x = removeBaseline(signal, fs);
  return rPeaksOf(x, fs);
}

function rPeaksOf(x: Float64Array, fs: number): Int32Array {
  const w = (s: number) => Math.max(1, Math.round(s * fs));
  const lp = movingAverage(x, w(0.025));
  const slow = movingAverage(x, w(0.2));
  const bp = lp.map((v, i) => v - slow[i]);
  const sq = bp.map((_, i) => {
    const d = i > 0 && i < bp.length - 1 ? (bp[i + 1] - bp[i - 1]) * fs * 0.5 : 0;
    return d * d;
  });
  const mwi = movingAverage(sq, w(0.15));
  const refractory = w(0.2);
  // candidates: maxima of the integrator within +-refractory
  const cands: number[] = [];
  for (let i = 1; i < mwi.length - 1; i++) {
    if (mwi[i] <= 0 || mwi[i] < mwi[i - 1] || mwi[i] < mwi[i + 1]) continue;
    let isMax = true;
    for (let k = Math.max(0, i - refractory); k <= Math.min(mwi.length - 1, i + refractory) && isMax; k++) if (mwi[k] > mwi[i]) isMax = false;
    if (isMax && (cands.length === 0 || i - cands[cands.length - 1] >= refractory)) cands.push(i);
  }
  const init = mwi.subarray(0, Math.min(mwi.length, w(2)));
  let spk = 0.25 * Math.max(...init), npk = 0.5 * init.reduce((a, b) => a + b, 0) / init.length;
  const qrs: number[] = [];
  let rrMean = 0;
  for (let c = 0; c < cands.length; c++) {
    const i = cands[c], v = mwi[i];
    const thr = npk + 0.25 * (spk - npk);
    const last = qrs[qrs.length - 1];
    if (last !== undefined && rrMean > 0 && i - last > 1.66 * rrMean) {
      // search back: the largest skipped candidate above half the threshold
      let best = -1;
      for (let d = c - 1; d >= 0 && cands[d] > last; d--) if (cands[d] - last >= refractory && mwi[cands[d]] > thr / 2 && (best < 0 || mwi[cands[d]] > mwi[best])) best = cands[d];
      if (best >= 0 && i - best >= refractory) {
        qrs.push(best);
        spk = 0.25 * mwi[best] + 0.75 * spk;
      }
    }
    if (v > thr && (qrs.length === 0 || i - qrs[qrs.length - 1] >= refractory)) {
      if (qrs.length) rrMean = rrMean ? 0.875 * rrMean + 0.125 * (i - qrs[qrs.length - 1]) : i - qrs[qrs.length - 1];
      qrs.push(i);
      spk = 0.125 * v + 0.875 * spk;
    } else npk = 0.125 * v + 0.875 * npk;
  }
  const r = w(0.08);
  const peaks = qrs.map((i) => {
    let best = i;
    for (let k = Math.max(0, i - r); k <= Math.min(x.length - 1, i + r); k++) if (Math.abs(x[k]) > Math.abs(x[best])) best = k;
    return best;
  });
  return Int32Array.from(new Set(peaks)).sort();
}

/** Options of `delineateEcg`. */
export interface DelineateOptions {
  /** Use these R peaks instead of detecting them (e.g. from beat annotations). */
  rPeaks?: ArrayLike<number>;
}

/** Delineates a single-lead ECG (`signal` in any unit, `fs` in Hz): R peaks, QRS, P and T waves. */
export function delineateEcg(signal: ArrayLike<number>, fs: number, options: DelineateOptions = {}): Delineation {
  checkSignal(signal, fs);
  const x = removeBaseline(signal, fs);
  const rPeaks = options.rPeaks ? Int32Array.from(options.rPeaks).sort() : rPeaksOf(x, fs);
  if (rPeaks.some((r) => !Number.isInteger(r) || r < 0 || r >= x.length)) throw new InvalidInputError('rPeaks', `must be sample indices in [0, ${x.length})`);
  const ms = (s: number) => Math.max(1, Math.round((s * fs) / 1000));
  const y = movingAverage(x, ms(20));
  const slope = y.map((_, i) => (i > 0 && i < y.length - 1 ? Math.abs(y[i + 1] - y[i - 1]) : 0));
  const waves: WaveSegment[] = [];
  const qrsList = Array.from(rPeaks, (r) => {
    const a = Math.max(1, r - ms(100)), b = Math.min(x.length - 2, r + ms(120));
    let maxSlope = 0;
    for (let k = a; k <= b; k++) maxSlope = Math.max(maxSlope, slope[k]);
    const thr = 0.2 * maxSlope;
    let on = r, off = r;
    for (let k = a; k < r; k++) if (slope[k] > thr) { on = Math.max(0, k - 1); break; }
    for (let k = b; k > r; k--) if (slope[k] > thr) { off = Math.min(x.length - 1, k + 1); break; }
    return { r, on, off };
  });
  qrsList.forEach((q, i) => {
    const iso = y[q.on];
    const amp = Math.abs(x[q.r] - iso);
    const prevOff = i > 0 ? qrsList[i - 1].off : -1;
    const nextOn = i + 1 < qrsList.length ? qrsList[i + 1].on : x.length;
    const rr = i + 1 < qrsList.length ? qrsList[i + 1].r - q.r : i > 0 ? q.r - qrsList[i - 1].r : fs;
    const p = findWave(y, Math.max(prevOff + ms(200), q.on - ms(250)), q.on - ms(10), 0.04 * amp, 'p');
    if (p) waves.push(p);
    waves.push({ wave: 'N', onset: q.on, peak: q.r, offset: q.off });
    const t = findWave(y, q.off + ms(80), Math.min(nextOn - ms(60), q.off + Math.min(ms(450), Math.round(0.6 * rr))), 0.04 * amp, 't');
    if (t) waves.push(t);
  });
  return { rPeaks, waves };
}

/**
 * The extremum of y relative to the straight line through y[a] and y[b] (robust to ST-segment
 * deviation and residual wander) in [a, b], with its onset/offset where that deviation falls
 * below 25% of the peak deviation; null when smaller than `minAmp` or at the window's edge.
 */
function findWave(y: Float64Array, a: number, b: number, minAmp: number, wave: string): WaveSegment | null {
  a = Math.max(0, a);
  b = Math.min(y.length - 1, b);
  if (b - a < 3) return null;
  const dev = (k: number) => y[k] - (y[a] + ((y[b] - y[a]) * (k - a)) / (b - a));
  let peak = a;
  for (let k = a; k <= b; k++) if (Math.abs(dev(k)) > Math.abs(dev(peak))) peak = k;
  const top = Math.abs(dev(peak));
  if (top < minAmp || peak === a || peak === b) return null;
  let onset = peak, offset = peak;
  while (onset > a && Math.abs(dev(onset - 1)) > 0.25 * top) onset--;
  while (offset < b && Math.abs(dev(offset + 1)) > 0.25 * top) offset++;
  return { wave, onset, peak, offset };
}
