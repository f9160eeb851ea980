/**
 * Wave windows for real beats and the delineator's accuracy (browser-safe): P/QRS/T codes of a
 * whole record from the delineator, cut into beat windows at the study's rate, and the
 * comparison of delineated waves with expert (LUDB) annotations.
 */
import type { WaveSegment } from '../data/annotations.js';
import { waveLabels } from '../data/annotations.js';
import { delineateEcg } from '../data/delineate.js';
import type { DelineatorCheck } from './ecg-lstm-report.js';

/**
 * Per-beat wave codes [beats, before + after] at `fs` for beats whose R peaks (`rPeaks`, at the
 * record's rate `recordFs`) were cut from `signal`: the record is delineated once, with the
 * annotated R peaks `allPeaks`, and each window sample takes the code of the nearest record sample.
 */
export function beatWaveCodes(signal: ArrayLike<number>, recordFs: number, allPeaks: ArrayLike<number>, rPeaks: ArrayLike<number>, fs: number, before: number, length: number): Uint8Array {
  const d = delineateEcg(signal, recordFs, { rPeaks: allPeaks });
  return cutWindows(waveLabels(d.waves, signal.length), rPeaks, recordFs, fs, before, length);
}

/** Windows of `length` codes around each R peak, resampled by nearest neighbour from `recordFs` to `fs`; `before` samples (at fs) precede the peak. */
export function cutWindows(labels: Uint8Array, rPeaks: ArrayLike<number>, recordFs: number, fs: number, before: number, length: number): Uint8Array {
  const T = length;
  const out = new Uint8Array(rPeaks.length * T);
  for (let b = 0; b < rPeaks.length; b++) {
    for (let j = 0; j < T; j++) {
      const k = Math.round(rPeaks[b] + ((j - before) * recordFs) / fs);
      out[b * T + j] = k >= 0 && k < labels.length ? labels[k] : 0;
    }
  }
  return out;
}

const WAVES: { wave: 'P' | 'QRS' | 'T'; symbol: string; code: number }[] = [
  { wave: 'P', symbol: 'p', code: 1 },
  { wave: 'QRS', symbol: 'N', code: 2 },
  { wave: 'T', symbol: 't', code: 3 },
];

/**
 * Compares delineated waves with annotated ones inside the annotated span: a detected wave
 * matches an annotated wave of the same kind whose peak lies within its [onset, offset] (and
 * vice versa, first come); onset/offset errors are averaged over matches (ms); the per-sample
 * F1 compares the wave labels sample by sample.
 */
export function compareDelineation(detected: WaveSegment[], annotated: WaveSegment[], fs: number, length: number, meta: { record: string; lead: string }): DelineatorCheck {
  const lo = Math.min(...annotated.map((w) => w.onset));
  const hi = Math.max(...annotated.map((w) => w.offset));
  const inSpan = (w: WaveSegment) => w.peak >= lo && w.peak <= hi;
  const det = detected.filter(inSpan);
  const truth = waveLabels(annotated, length), pred = waveLabels(det, length);
  const waves = WAVES.map(({ wave, symbol, code }) => {
    const a = annotated.filter((w) => w.wave === symbol);
    const d = det.filter((w) => w.wave === symbol);
    const used = new Set<number>();
    let matched = 0, onErr = 0, offErr = 0;
    for (const t of a) {
      const k = d.findIndex((w, i) => !used.has(i) && ((t.peak >= w.onset && t.peak <= w.offset) || (w.peak >= t.onset && w.peak <= t.offset)));
      if (k < 0) continue;
      used.add(k);
      matched++;
      onErr += Math.abs(d[k].onset - t.onset);
      offErr += Math.abs(d[k].offset - t.offset);
    }
    let tp = 0, fp = 0, fn = 0;
    for (let i = Math.max(0, lo); i <= Math.min(length - 1, hi); i++) {
      const p = pred[i] === code, q = truth[i] === code;
      if (p && q) tp++;
      else if (p) fp++;
      else if (q) fn++;
    }
    const ms = (v: number) => (matched ? (v / matched) * (1000 / fs) : NaN);
    return { wave, annotated: a.length, detected: d.length, matched, sampleF1: tp + fp + fn ? (2 * tp) / (2 * tp + fp + fn) : NaN, onsetErrorMs: ms(onErr), offsetErrorMs: ms(offErr) };
  });
  return { ...meta, fs, waves };
}
